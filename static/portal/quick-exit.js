// Quick exit: leave for a neutral page at once and keep this site out of the back button.
// Works from the link alone without JavaScript; the Escape key does the same.
const link = document.getElementById("quick-exit");

function leave(event) {
  event?.preventDefault();
  window.location.replace(link.href);
}

link.addEventListener("click", leave);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") leave(event);
});
