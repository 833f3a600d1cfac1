// Progressive enhancement: a live strength hint under password fields marked data-strength.
// Without JavaScript the server explains a refused password after submitting.
(function () {
  'use strict';
  var DELAY_MS = 250;

  function setup(input) {
    var output = document.getElementById(input.getAttribute('data-strength'));
    var form = input.form;
    if (!output || !form) return;
    var timer = null;
    var latest = 0;

    function context(name) {
      var field = form.elements.namedItem(name);
      return field && 'value' in field ? field.value : '';
    }

    function update() {
      var password = input.value;
      var ticket = ++latest;
      if (password.length === 0) {
        output.textContent = '';
        return;
      }
      var body = new URLSearchParams({ password: password, username: context('username'), email: context('email') });
      fetch('/password-strength', { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (result) {
          if (!result || ticket !== latest) return;
          output.textContent = 'Strength: ' + result.label + '.' + (result.warning ? ' ' + result.warning : '');
          output.setAttribute('data-score', String(result.score));
        })
        .catch(function () { /* the hint is optional */ });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(update, DELAY_MS);
    });
  }

  document.querySelectorAll('input[data-strength]').forEach(setup);
})();
