// The top bar's menu button (phone widths, see app.css): it shows and hides the navigation,
// and Escape closes it again. The CSS reads aria-expanded, so this only flips that.
(() => {
  const button = document.querySelector(".nav-toggle");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;

  const isOpen = () => button.getAttribute("aria-expanded") === "true";
  const setOpen = (open) => button.setAttribute("aria-expanded", String(open));

  button.addEventListener("click", () => setOpen(!isOpen()));
  document.addEventListener("keydown", (event) => {
    const inside = menu.contains(document.activeElement) || document.activeElement === button;
    if (event.key === "Escape" && isOpen() && inside && button.offsetParent !== null) {
      setOpen(false);
      button.focus();
    }
  });
})();
