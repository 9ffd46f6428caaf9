"use strict";
// The link's token comes in the fragment (#token=...), which the browser never sends to the
// server, nor in a Referer. It is taken out of the address bar and history at once; nothing is
// posted until the button is pressed (mail scanners open links, and must change nothing).
const token = new URLSearchParams(location.hash.slice(1)).get("token");
history.replaceState(null, "", location.pathname);
const form = document.getElementById("action");
const status = document.getElementById("status");

function show(text, error) {
  status.textContent = text;
  status.className = error ? "error" : "";
}

function problemText(problem, code) {
  const errors = (problem.errors || []).map((error) => error.msg);
  return errors.length ? errors.join("; ") : problem.detail || `The request failed (${code}).`;
}

if (!token) {
  form.hidden = true;
  show("This page needs the link from your email: open it from there.", true);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const repeat = document.getElementById("repeat");
  const body = { token };
  for (const input of form.querySelectorAll("input[name]")) body[input.name] = input.value;
  if (repeat && repeat.value !== body.new_password) { show("The two passwords differ.", true); return; }
  form.querySelector("button").disabled = true;
  const response = await fetch(document.body.dataset.api + form.dataset.endpoint, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  }).catch(() => null);
  if (response && response.ok) { form.hidden = true; show(form.dataset.done, false); return; }
  const problem = response ? await response.json().catch(() => ({})) : { detail: "The API cannot be reached." };
  show(problemText(problem, response ? response.status : 0), true);
  form.querySelector("button").disabled = false;
});
