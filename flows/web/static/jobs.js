// Follows a brief job on /briefs/jobs/{id}: polls its JSON every 2 s, shows the stage and the
// progress, and opens the brief when it is done. No inline script (the CSP forbids it); the
// words come from a <template> the server filled in the reader's language.
(function () {
  var section = document.getElementById("job");
  if (!section || !window.fetch) return;
  var finished = {done: true, empty: true, failed: true};
  if (finished[section.dataset.state]) return;
  var words = {};
  var template = document.getElementById("job-words");
  if (template) {
    template.content.querySelectorAll("[data-state]").forEach(function (node) {
      words[node.dataset.state] = node.textContent;
    });
  }
  function show(job) {
    var key = job.state === "running" ? (job.stage || "starting") : job.state;
    var percent = Math.round((job.progress || 0) * 100);
    document.getElementById("job-state").textContent =
      (words[key] || key) + (job.state === "running" ? " (" + percent + "%)" : "");
    document.getElementById("job-progress").value = job.state === "done" ? 100 : percent;
    if (job.error) {
      var error = document.getElementById("job-error");
      error.textContent = job.error;
      error.hidden = false;
    }
    if (job.brief_id) {
      document.getElementById("job-brief-link").href = "/briefs/" + encodeURIComponent(job.brief_id);
      document.getElementById("job-brief").hidden = false;
    }
  }
  function poll() {
    fetch(section.dataset.job, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 4000); return; }
        show(job);
        section.dataset.state = job.state;
        if (job.state === "done" && job.brief_id) {
          window.location.assign("/briefs/" + encodeURIComponent(job.brief_id));
        } else if (!finished[job.state]) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 1000);
})();
