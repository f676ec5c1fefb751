"""The hash registry: cases, hashes, the partner feed, partners and the audit trail."""
