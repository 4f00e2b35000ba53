/** @module The one stylesheet, as a module so that Workers can serve it without a file system. */

export const APP_CSS = `:root {
  color-scheme: light dark;
  --bg: #fafafa;
  --fg: #1b1b1f;
  --muted: #5a5a66;
  --accent: #2747c4;
  --accent-fg: #ffffff;
  --error: #b00020;
  --border: #c8c8d0;
  --card: #ffffff;
  --alarm-bg: #fde8eb;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15151a;
    --fg: #ececf1;
    --muted: #a4a4b0;
    --accent: #8ea6ff;
    --accent-fg: #10121a;
    --error: #ff8a9a;
    --border: #3a3a46;
    --card: #1e1e25;
    --alarm-bg: #3b1c23;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, select, textarea { font: inherit; }
body { margin: 0; background: var(--bg); color: var(--fg); }
.top { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; justify-content: space-between; align-items: center; padding: 0.75rem 1rem; border-bottom: 1px solid var(--border); }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
.brand img { vertical-align: middle; margin-inline-end: 0.4em; }
.top-end { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-left: auto; }
nav.lang ul { display: flex; gap: 0.75rem; list-style: none; margin: 0; padding: 0; font-size: 0.9rem; }
nav.lang a[aria-current] { font-weight: 700; color: var(--fg); text-decoration: none; }
.skip { position: absolute; left: 0.5rem; top: -3rem; padding: 0.5rem 0.75rem; background: var(--card); color: var(--accent); border: 2px solid var(--accent); border-radius: 0.35rem; z-index: 10; }
.skip:focus { top: 0.5rem; }
main:focus { outline: none; }
main { max-width: 34rem; margin: 2rem auto; padding: 1.5rem; background: var(--card); border: 1px solid var(--border); border-radius: 0.5rem; }
h1 { font-size: 1.5rem; margin-top: 0; }
h2 { font-size: 1.15rem; margin-top: 1.5rem; }
label { display: block; margin-top: 1rem; font-weight: 600; }
label.check { font-weight: 400; display: flex; gap: 0.5rem; align-items: center; }
input:not([type=checkbox]):not([type=radio]), select, textarea { width: 100%; padding: 0.6rem; font-size: 1rem; border: 1px solid var(--border); border-radius: 0.35rem; background: var(--bg); color: var(--fg); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button, .button { display: inline-block; margin-top: 1.25rem; padding: 0.6rem 1.2rem; font-size: 1rem; border: 0; border-radius: 0.35rem; background: var(--accent); color: var(--accent-fg); cursor: pointer; text-decoration: none; }
button.link { background: none; color: var(--accent); padding: 0; margin: 0; text-decoration: underline; }
form.inline { display: inline; }
button.small { margin: 0.15rem 0.25rem 0.15rem 0; padding: 0.3rem 0.7rem; font-size: 0.9rem; }
button.danger { background: var(--error); }
form.rename { display: flex; flex-wrap: wrap; gap: 0.35rem; align-items: center; }
form.rename input { width: auto; flex: 1 1 8rem; min-width: 0; padding: 0.3rem; }
form.rename button.small { margin: 0; }
.muted { color: var(--muted); font-size: 0.9rem; }
.current { margin-left: 0.35rem; font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
main.wide, main:has(> table) { max-width: min(64rem, calc(100% - 2rem)); }
.table-scroll { overflow-x: auto; }
@media (max-width: 40rem) {
  main, main.wide, main:has(> table) { max-width: none; margin: 0; padding: 1rem; border-width: 0 0 1px; border-radius: 0; }
  main > table { display: block; overflow-x: auto; }
  .top { padding: 0.5rem 1rem; }
}
fieldset { border: 1px solid var(--border); border-radius: 0.35rem; margin-top: 1rem; }
a { color: var(--accent); }
.error { color: var(--error); font-weight: 600; margin: 0.4rem 0; }
.warning { color: var(--error); }
.notice { padding: 0.5rem 0.75rem; border-left: 4px solid var(--accent); }
.qr svg { width: min(20rem, 100%); height: auto; display: block; background: #fff; border-radius: 0.35rem; }
.copyable { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; }
button.copy { margin: 0; }
.copyable code { overflow-wrap: anywhere; }
.secret { font-size: 1.15rem; letter-spacing: 0.05em; word-break: normal; overflow-wrap: normal; }
.uri code { word-break: break-all; font-size: 0.85rem; color: var(--muted); }
.codes { font-size: 1.05rem; padding-left: 1.5rem; }
.codes li { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--border); }
td .muted { overflow-wrap: anywhere; }
nav.admin { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin-right: auto; }
nav.admin a[aria-current=page] { font-weight: 700; color: var(--fg); text-decoration: none; }
.emergency { border: 2px solid var(--error); background: var(--alarm-bg); border-radius: 0.35rem; padding: 0.25rem 1rem; margin: 1rem 0; }
.emergency h2 { margin-top: 0.5rem; color: var(--error); }
tr.emergency td { background: var(--alarm-bg); }
tr.emergency td:first-child { border-left: 4px solid var(--error); }
form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; }
form.filters > div { flex: 1 1 10rem; }
form.filters > div.submit { flex: 0 0 auto; }
form.filters button { margin-top: 0.5rem; }
.pager { display: flex; gap: 1rem; align-items: center; margin-top: 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.25rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
ul.actions { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
a.button.small { margin: 0; padding: 0.3rem 0.7rem; font-size: 0.9rem; }
.button.danger { background: var(--error); }
button.secondary { background: none; color: var(--accent); border: 1px solid var(--accent); }
button.small.secondary { padding: calc(0.3rem - 1px) calc(0.7rem - 1px); }
.pass code { font-size: 1.4rem; letter-spacing: 0.05em; }
td.detail code { font-size: 0.8rem; overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
th[scope=row] { font-weight: 600; }
textarea { resize: vertical; }
select { height: calc(1.5em + 1.2rem + 2px); padding-block: 0; }
table.compact { width: auto; min-width: min(24rem, 100%); }
fieldset legend { font-weight: 700; }
`;
