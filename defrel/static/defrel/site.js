// Back to a list after filtering it, its filter boxes show the filters of the page shown:
// the browser would otherwise bring back what was typed before leaving (a page restored
// from the back-forward cache, or its form state restored), not what the address asks for.
// A form's reset() returns each box to the value the server wrote into the page.
addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll('form[method="get"]')) form.reset();
});

// On a phone the filters above a page's results fold away to one line, so that the results
// come first; without a script, or on a wider screen, they stay open (details.fold).
if (matchMedia("(max-width: 48rem)").matches) {
  for (const fold of document.querySelectorAll("details.fold")) fold.open = false;
}
