// The survey answer page: saves the score clicked in the email at once, so an answer counts
// even if the comment is never sent, and fits the follow-up question to the chosen score.
// The page works without it: the button posts the same form.
(function () {
  "use strict";
  const form = document.getElementById("answer-form");
  if (!form) {
    return;
  }
  const followUp = document.getElementById("follow-up");
  const saved = document.getElementById("answer-saved");

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.name === "score" && input.dataset.followUp && followUp) {
      followUp.textContent = input.dataset.followUp;
    }
  });

  const checked = form.querySelector("input[name=score]:checked");
  if (form.dataset.autosave !== "true" || !checked || !window.fetch || !window.FormData) {
    return;
  }
  // The score alone: a form without a comment keeps any comment already stored.
  const data = new FormData();
  data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
  data.append("score", checked.value);
  fetch(form.action, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((response) => (response.ok ? response.json() : null))
    .then((answer) => {
      if (answer && answer.saved && saved) {
        saved.hidden = false;
      }
    })
    .catch(() => {
      // Offline or blocked: the button still sends the answer.
    });
})();
