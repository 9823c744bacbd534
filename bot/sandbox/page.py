"""The chat page at /sandbox: talk to the bot as in Telegram, with inline buttons, photos and files."""

CHAT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tsbot sandbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#e6ebee;display:flex;flex-direction:column;height:100vh}
header{background:#517da2;color:#fff;padding:10px 16px;display:flex;gap:12px;align-items:center}
header input{width:110px}
#log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}
.msg{max-width:70%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;background:#fff}
.user{align-self:flex-end;background:#effdde}.bot{align-self:flex-start}
.msg img{max-width:100%;display:block;border-radius:8px}
.msg a.doc{display:block;margin-bottom:4px}
.kb{display:grid;gap:4px;margin-top:6px}.kb div{display:flex;gap:4px}
.kb button{flex:1;padding:6px;border:0;border-radius:6px;background:#d7e6f3;cursor:pointer}
.toast{color:#517da2;font-size:90%;align-self:center}
form{display:flex;gap:8px;padding:10px;background:#fff}
form input[type=text]{flex:1;padding:8px}
</style></head><body>
<header><b>tsbot sandbox</b> user id <input id="uid" type="number" value="1">
forwarded from <input id="fwd" placeholder="(channel title)"></header>
<div id="log"></div>
<form id="f"><input id="t" type="text" placeholder="buy $50 of ETH" autocomplete="off">
<label title="send a file">📎<input id="doc" type="file" hidden></label>
<button>Send</button></form>
<script src="/sandbox/chat.js"></script></body></html>
"""

# A file of its own: the web app's Content-Security-Policy allows scripts from the site, not inline ones.
CHAT_SCRIPT = """const log = document.getElementById("log"), uid = document.getElementById("uid");
const base = () => "/sandbox/api/chats/" + uid.value;
let shown = {};
function render(m) {
  let el = shown[m.message_id];
  if (!el) { el = document.createElement("div"); shown[m.message_id] = el; log.appendChild(el); }
  // Rebuilt only when it changed: a rebuild every poll would reload photos and drop the reader's selection.
  const seen = JSON.stringify(m); if (el.dataset.seen === seen) return; el.dataset.seen = seen;
  el.className = "msg " + m.from; el.innerHTML = "";
  if (m.photo) { const img = document.createElement("img"); img.src = m.photo; el.appendChild(img); }
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
    const bottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    msgs.forEach(render); if (bottom) log.scrollTop = log.scrollHeight;
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
document.getElementById("f").onsubmit = async (e) => {
  e.preventDefault(); const t = document.getElementById("t"), fwd = document.getElementById("fwd");
  if (!t.value.trim()) return;
  const body = {text: t.value}; if (fwd.value.trim()) body.forward_from_chat = fwd.value.trim();
  t.value = "";
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
