// Quick exit: leave for a neutral page at once, from the button or the Escape key. The page is
// blanked first so nothing stays on screen while the next page loads, and location.replace keeps
// this page out of the back button. The link works on its own when scripts cannot run.

const link = document.getElementById("quick-exit");

function leave(event) {
  event?.preventDefault();
  // Lets a page drop its "are you sure you want to leave?" guard: leaving fast comes first.
  document.dispatchEvent(new Event("quick-exit"));
  document.title = "";
  document.body.replaceChildren();
  window.location.replace(link.href);
}

link.addEventListener("click", leave);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.defaultPrevented) leave(event);
});
