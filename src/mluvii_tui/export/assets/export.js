(function () {
  "use strict";
  var COMBINING = /[\u0300-\u036f]/g;
  var MAX_HIGHLIGHTED = 200;
  function fold(s) { return s.normalize("NFD").replace(COMBINING, "").toLowerCase(); }
  var box = document.getElementById("q");
  var count = document.getElementById("count");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.session"));
  var rows = {};
  Array.prototype.forEach.call(document.querySelectorAll("tr[data-sid]"), function (tr) {
    rows[tr.getAttribute("data-sid")] = tr;
  });
  var foldedText = new Map();
  var marked = [];

  function folded(el) {
    var t = foldedText.get(el);
    if (t === undefined) { t = fold(el.textContent); foldedText.set(el, t); }
    return t;
  }

  function unmark(root) {
    Array.prototype.forEach.call(root.querySelectorAll("mark"), function (m) {
      var parent = m.parentNode;
      parent.replaceChild(document.createTextNode(m.textContent), m);
      parent.normalize();
    });
  }

  // Folded text of one string plus, for each folded character, the index it came from.
  function foldMap(s) {
    var out = "", map = [];
    for (var i = 0; i < s.length; i++) {
      var f = fold(s[i]);
      for (var k = 0; k < f.length; k++) { out += f[k]; map.push(i); }
    }
    map.push(s.length);
    return { text: out, map: map };
  }

  function highlight(root, terms) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) {
      var s = node.nodeValue;
      if (!s || !s.trim()) { return; }
      var fm = foldMap(s);
      var ranges = [];
      terms.forEach(function (term) {
        var from = 0, at;
        while ((at = fm.text.indexOf(term, from)) !== -1) {
          ranges.push([fm.map[at], fm.map[at + term.length - 1] + 1]);
          from = at + term.length;
        }
      });
      if (!ranges.length) { return; }
      ranges.sort(function (a, b) { return a[0] - b[0]; });
      var frag = document.createDocumentFragment(), pos = 0;
      ranges.forEach(function (r) {
        if (r[0] < pos) { return; }
        if (r[0] > pos) { frag.appendChild(document.createTextNode(s.slice(pos, r[0]))); }
        var mark = document.createElement("mark");
        mark.textContent = s.slice(r[0], r[1]);
        frag.appendChild(mark);
        pos = r[1];
      });
      if (pos < s.length) { frag.appendChild(document.createTextNode(s.slice(pos))); }
      node.parentNode.replaceChild(frag, node);
    });
  }

  function run() {
    var terms = fold(box.value).split(/\s+/).filter(Boolean);
    marked.forEach(unmark);
    marked = [];
    var shown = 0;
    sections.forEach(function (sec) {
      var text = folded(sec);
      var hit = terms.every(function (t) { return text.indexOf(t) !== -1; });
      sec.hidden = !hit;
      var row = rows[sec.getAttribute("data-sid")];
      if (row) { row.hidden = !hit; }
      if (hit) {
        shown++;
        if (terms.length && marked.length < MAX_HIGHLIGHTED) { highlight(sec, terms); marked.push(sec); }
      }
    });
    count.textContent = terms.length ? shown + " of " + sections.length + " sessions match" : "";
    document.body.setAttribute("data-matches", String(shown));
  }

  var timer = null;
  box.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(run, 200);
  });
  var initial = "";
  var params = new URLSearchParams(location.search);
  if (params.get("q")) { initial = params.get("q"); }
  else if (location.hash.indexOf("#q=") === 0) { initial = decodeURIComponent(location.hash.slice(3)); }
  if (initial) { box.value = initial; run(); }
  document.body.setAttribute("data-ready", "1");
})();
