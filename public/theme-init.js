// Runs before the first paint so the page never flashes the wrong theme. A saved choice
// wins; otherwise the system setting applies through CSS media queries.
(function () {
  try {
    var saved = localStorage.getItem('faultlines:theme');
    if (saved === 'light' || saved === 'dark') document.documentElement.dataset.theme = saved;
  } catch (e) {
    /* Storage can be blocked; the system theme still applies. */
  }
})();
