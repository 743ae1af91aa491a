// theme.js - applies the remembered theme before the page paints. Loaded
// as a classic script in <head>; the toggle itself lives in app.js.
(function () {
  try {
    var t = localStorage.getItem('keyhole-theme');
    if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
  } catch (e) { /* storage may be off; follow the system */ }
})();
