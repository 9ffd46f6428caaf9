"use strict";
const api = location.pathname.replace(/\/chat\/demo$/, "");
const $ = (id) => document.getElementById(id);
let socket = null;

function show(text, system) {
  const item = document.createElement("li");
  item.textContent = text;  // never innerHTML: messages are user input
  if (system) item.className = "system";
  $("log").appendChild(item);
  $("log").scrollTop = $("log").scrollHeight;
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new URLSearchParams({ username: $("username").value, password: $("password").value });
  const login = await fetch(`${api}/auth/login`, { method: "POST", body: form });
  if (!login.ok) { $("status").textContent = "Sign-in failed."; return; }
  const { access_token: token } = await login.json();
  const room = Number($("room").value);
  const headers = { Authorization: `Bearer ${token}` };
  const joined = await fetch(`${api}/chat/rooms/${room}/join`, { method: "POST", headers });
  if (!joined.ok && joined.status !== 409) { $("status").textContent = `Cannot join room ${room}.`; return; }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // The token travels as a subprotocol, never in the URL (URLs end up in logs).
  socket = new WebSocket(`${scheme}://${location.host}${api}/chat/rooms/${room}/ws`, ["bearer", token]);
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "ready") {
      $("status").textContent = `Connected to room ${frame.room_id}.`;
      $("body").disabled = $("post").disabled = false;
    } else if (frame.type === "message") {
      show(`#${frame.message.author_id ?? "?"}: ${frame.message.body}`);
    } else if (frame.type === "error") {
      show(`error: ${frame.code}`, true);
    }
  };
  socket.onclose = (event) => {
    $("status").textContent = `Disconnected (${event.code}).`;
    $("body").disabled = $("post").disabled = true;
  };
});

$("send").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = $("body").value.trim();
  if (socket && body) socket.send(JSON.stringify({ type: "message", body }));
  $("body").value = "";
});
