// The plan review page: filters by status and family, and j/k (or n/p) to
// move between repos. Everything is on the page without it.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var repos = Array.prototype.slice.call(document.querySelectorAll("section.repo"));
  var rows = document.querySelectorAll("[data-repo]");
  var shown = document.getElementById("shown");
  var current = -1;

  function visible(el) {
    return !el.hidden;
  }

  function apply() {
    var statuses = {};
    form.querySelectorAll("input[name=status]").forEach(function (box) {
      statuses[box.value] = box.checked;
    });
    var family = form.querySelector("select[name=family]").value;
    var show = {};
    var count = 0;
    repos.forEach(function (sec) {
      var on = statuses[sec.dataset.status] !== false &&
        (family === "" || sec.dataset.family === family);
      sec.hidden = !on;
      show[sec.id] = on;
      if (on) count++;
    });
    rows.forEach(function (row) {
      row.hidden = !show[row.dataset.repo];
    });
    shown.textContent = count + " of " + repos.length + " repos shown";
  }

  function go(step) {
    var list = repos.filter(visible);
    if (!list.length) return;
    var at = list.indexOf(repos[current]);
    at = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    if (current >= 0) repos[current].classList.remove("current");
    current = repos.indexOf(list[at]);
    var sec = repos[current];
    sec.classList.add("current");
    sec.focus({ preventScroll: true });
    sec.scrollIntoView({ block: "start" });
    history.replaceState(null, "", "#" + sec.id);
  }

  // the filters and keys work only with this script: shown only with it
  form.hidden = false;
  document.getElementById("keys").hidden = false;
  form.addEventListener("change", apply);
  apply();
  var start = repos.findIndex(function (sec) {
    return "#" + sec.id === location.hash;
  });
  if (start >= 0) {
    current = start;
    repos[start].classList.add("current");
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = ev.target && ev.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (ev.key === "j" || ev.key === "n") {
      go(1);
      ev.preventDefault();
    } else if (ev.key === "k" || ev.key === "p") {
      go(-1);
      ev.preventDefault();
    }
  });
})();
