"""The chat page at /sandbox: talk to the bot as in Telegram, with inline buttons, photos and files."""

CHAT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tsbot sandbox</title>
<style>
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;background:#e6ebee;display:flex;flex-direction:column;height:100vh;
height:100dvh}
header{background:#517da2;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center}
header label{display:flex;gap:6px;align-items:center;flex:1 1 140px;min-width:0}
header input{flex:1;min-width:0;width:100%}
#log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}
.msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;background:#fff}
.user{align-self:flex-end;background:#effdde}.bot{align-self:flex-start}
.msg img{max-width:100%;display:block;border-radius:8px}
.msg a.doc{display:block;margin-bottom:4px}
.kb{display:grid;gap:4px;margin-top:6px}.kb div{display:flex;gap:4px}
.kb button{flex:1;min-width:0;padding:6px;border:0;border-radius:6px;background:#d7e6f3;cursor:pointer}
.toast{color:#517da2;font-size:90%;align-self:center}
form{display:flex;gap:8px;padding:10px;background:#fff;align-items:flex-end}
form textarea{flex:1;min-width:0;padding:8px;resize:none;font:inherit;max-height:40vh}
</style></head><body>
<header><b>tsbot sandbox</b> <label>user id <input id="uid" type="number" value="1"></label>
<label>forwarded from <input id="fwd" placeholder="(channel title)"></label></header>
<div id="log"></div>
<form id="f"><textarea id="t" rows="1" placeholder="buy $50 of ETH (Shift+Enter: a new line)"
autocomplete="off"></textarea>
<label title="send a file">📎<input id="doc" type="file" hidden></label>
<button>Send</button></form>
<script src="/sandbox/chat.js"></script></body></html>
"""

# A file of its own: the web app's Content-Security-Policy allows scripts from the site, not inline ones.
CHAT_SCRIPT = """const log = document.getElementById("log"), uid = document.getElementById("uid");
const base = () => "/sandbox/api/chats/" + uid.value;
let shown = {};
// Whether the reader is at the end of the chat: new messages then scroll into view; reading back, they do not.
let following = true;
const toEnd = () => { log.scrollTop = log.scrollHeight; };
log.onscroll = () => { following = log.scrollHeight - log.scrollTop - log.clientHeight < 40; };
function render(m) {
  let el = shown[m.message_id];
  if (!el) { el = document.createElement("div"); shown[m.message_id] = el; log.appendChild(el); }
  // Rebuilt only when it changed: a rebuild every poll would reload photos and drop the reader's selection.
  const seen = JSON.stringify(m); if (el.dataset.seen === seen) return; el.dataset.seen = seen;
  el.className = "msg " + m.from; el.innerHTML = "";
  if (m.photo) {
    const img = document.createElement("img"); img.src = m.photo; el.appendChild(img);
    // A photo takes its height once loaded: keep a reader who was at the end of the chat at the end.
    img.onload = () => { if (following) toEnd(); };
  }
  if (m.document) {
    const a = document.createElement("a"); a.className = "doc"; a.href = m.document; a.target = "_blank";
    a.textContent = "📎 file"; el.appendChild(a);
  }
  if (m.text) el.appendChild(document.createTextNode(m.text));
  const rows = (m.reply_markup || {}).inline_keyboard || [];
  if (rows.length) {
    const kb = document.createElement("div"); kb.className = "kb";
    for (const row of rows) {
      const r = document.createElement("div");
      for (const b of row) {
        const btn = document.createElement("button"); btn.textContent = b.text;
        btn.onclick = () => tap(m.message_id, b.callback_data); r.appendChild(btn);
      }
      kb.appendChild(r);
    }
    el.appendChild(kb);
  }
}
async function poll() {
  try {
    const r = await fetch(base() + "/messages?after=0");
    const msgs = await r.json(); const ids = new Set(msgs.map(m => m.message_id));
    for (const [id, el] of Object.entries(shown)) if (!ids.has(+id)) { el.remove(); delete shown[id]; }
    const before = Object.keys(shown).length;
    msgs.forEach(render);
    if (following && Object.keys(shown).length !== before) toEnd();
  } catch (e) {}
  setTimeout(poll, 500);
}
async function tap(message_id, data) {
  const r = await fetch(base() + "/callbacks", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({message_id, data})});
  const a = await r.json();
  if (a.answer) { const t = document.createElement("div"); t.className = "toast"; t.textContent = a.answer;
    log.appendChild(t); setTimeout(() => t.remove(), 4000); }
}
const input = document.getElementById("t"), form = document.getElementById("f");
const fit = () => { input.style.height = "auto"; input.style.height = input.scrollHeight + "px"; };
input.oninput = fit;
// Enter sends, as in Telegram; Shift+Enter starts a new line of the same message.
input.onkeydown = (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
};
form.onsubmit = async (e) => {
  e.preventDefault(); const fwd = document.getElementById("fwd");
  if (!input.value.trim()) return;
  const body = {text: input.value}; if (fwd.value.trim()) body.forward_from_chat = fwd.value.trim();
  input.value = ""; fit(); following = true;
  await fetch(base() + "/messages", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify(body)});
};
document.getElementById("doc").onchange = async (e) => {
  const file = e.target.files[0]; if (!file) return;
  const form = new FormData(); form.append("file", file); e.target.value = "";
  await fetch(base() + "/documents", {method: "POST", body: form});
};
uid.onchange = () => { log.innerHTML = ""; shown = {}; };
poll();
"""
