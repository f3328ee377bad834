// Polls an import's status while it is queued or running and shows its progress;
// reloads once it ends so the page shows the final result and its errors.
(function () {
  var card = document.getElementById("import");
  if (!card) return;
  var status = card.dataset.status;
  if (status !== "queued" && status !== "running") return;
  var bar = document.querySelector("[data-testid=import-progress]");
  var percent = document.querySelector("[data-testid=import-percent]");
  function poll() {
    fetch(card.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        bar.value = b.progress;
        percent.textContent = b.progress;
        if (b.status === "queued" || b.status === "running") {
          setTimeout(poll, 500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
