// Live updates: reload the page when the server says cases changed, unless
// the person is typing in a form (then only say so; nothing typed is lost).
(function () {
  if (!window.EventSource) return;
  var es = new EventSource('/console/events');
  var timer = null;
  function typing() {
    var a = document.activeElement;
    if (a && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA' || a.tagName === 'SELECT')) return true;
    var fields = document.querySelectorAll('input[type=text], input:not([type]), textarea');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }
  es.addEventListener('changed', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (typing()) {
        document.getElementById('live-note').hidden = false;
      } else {
        location.reload();
      }
    }, 300);
  });
})();
