// lwgate web console: plain browser JavaScript, no build step, no
// framework, nothing fetched but the gateway's own public HTTP API.
"use strict";

const DAEMONS = { lwm2md: 8080, rdd: 8081, lowpand: 8082 };
const cfg = loadSettings();
const state = { ep: null, history: {}, plotPath: null, streams: {}, meshSeq: 0 };

function loadSettings() {
	const c = JSON.parse(localStorage.getItem("lwgate") || "{}");
	const host = location.hostname.includes(":") ? `[${location.hostname}]` : location.hostname;
	for (const [d, port] of Object.entries(DAEMONS))
		c[d] = c[d] || `${location.protocol}//${host}:${port}`;
	c.token = c.token || "";
	// #page?token=T&lwm2md=URL: set from a link, kept like the form's values
	const q = new URLSearchParams(location.hash.split("?")[1] || "");
	for (const k of ["token", ...Object.keys(DAEMONS)])
		if (q.has(k)) c[k] = q.get(k);
	localStorage.setItem("lwgate", JSON.stringify(c));
	return c;
}

// One element with attributes and children (strings become text: never HTML).
function el(tag, attrs, ...kids) {
	const ns = ["svg", "line", "circle", "text", "g", "title", "polyline"].includes(tag);
	const e = ns ? document.createElementNS("http://www.w3.org/2000/svg", tag)
		: document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {}))
		if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
		else e.setAttribute(k, v);
	for (const k of kids)
		e.append(k instanceof Node ? k : document.createTextNode(String(k ?? "")));
	return e;
}

// A table row, one cell per argument.
function tr(attrs, ...cells) {
	return el("tr", attrs, ...cells.map((c) => el("td", {}, c)));
}

function fill(tbody, rows) {
	tbody.replaceChildren(...rows);
}

// Call daemon @d's API; resolves to the parsed JSON, rejects with a sentence.
async function api(d, path, opts = {}) {
	const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
	if (cfg.token) headers.Authorization = "Bearer " + cfg.token;
	let r;
	try {
		r = await fetch(cfg[d] + path, Object.assign({}, opts, { headers }));
	} catch (e) {
		throw new Error(`${d} unreachable (${cfg[d]})`);
	}
	const text = await r.text();
	const body = text ? JSON.parse(text) : null;
	if (!r.ok)
		throw new Error(body && body.detail ? `${r.status}: ${body.detail}` : `${r.status} ${r.statusText}`);
	return body;
}

// A list route's answer: an array of records, but {"count": 0} when the
// daemon had none (the bridge passes the command's closing reply on).
function asList(x) {
	return Array.isArray(x) ? x : [];
}

function note(id, msg, error) {
	const n = document.getElementById(id);
	n.textContent = msg || "";
	n.classList.toggle("error", !!error);
}

function ago(s) {
	if (s == null) return "";
	return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

/* ---- status ---- */
async function showStatus() {
	const cards = await Promise.all(Object.keys(DAEMONS).map(async (d) => {
		try {
			const s = await api(d, "/api/status");
			const dl = el("dl");
			const counters = Object.entries(s.counters || {}).slice(0, 8);
			for (const [k, v] of [["version", s.version], ["uptime", ago(s.uptime_s)], ...counters])
				dl.append(el("dt", {}, k), el("dd", {}, typeof v === "object" ? JSON.stringify(v) : v));
			return el("div", { class: "card", "data-daemon": d },
				el("h3", {}, d, " ", el("span", { class: "up" }, "up")), dl);
		} catch (e) {
			return el("div", { class: "card", "data-daemon": d },
				el("h3", {}, d, " ", el("span", { class: "down" }, "down")), el("p", { class: "note" }, e.message));
		}
	}));
	document.getElementById("status-cards").replaceChildren(...cards);
}

/* ---- devices ---- */
async function showDevices() {
	let list;
	try {
		list = asList(await api("lwm2md", "/api/clients"));
		note("devices-note", `${list.length} registered`);
	} catch (e) {
		note("devices-note", "lwm2md: " + e.message, true);
		return;
	}
	fill(document.querySelector("#clients tbody"), list.map((c) => tr({
		class: "clickable" + (c.endpoint === state.ep ? " selected" : ""), "data-ep": c.endpoint,
		onclick: () => openDevice(c.endpoint),
	}, c.endpoint, c.transport, c.binding, c.queue_state || c.connection || "awake", ago(c.lifetime_left))));
	listen("lwm2md");
}

async function openDevice(ep) {
	state.ep = ep;
	const box = document.getElementById("device");
	box.hidden = false;
	document.getElementById("device-title").textContent = ep;
	const c = await api("lwm2md", "/api/clients/" + encodeURIComponent(ep)).catch(() => null);
	fill(document.getElementById("objects"), (c ? c.objects : []).map((o) =>
		el("li", { onclick: () => { document.getElementById("op-path").value = o; operate("read"); } }, o)));
	showDeviceLists();
	for (const row of document.querySelectorAll("#clients tbody tr"))
		row.classList.toggle("selected", row.dataset.ep === ep);
}

// The device's observations and the operations queued for it (while asleep).
async function showDeviceLists() {
	const ep = encodeURIComponent(state.ep);
	const [obs, ops] = await Promise.all([
		api("lwm2md", `/api/clients/${ep}/observations`).then(asList, () => []),
		api("lwm2md", `/api/clients/${ep}/ops`).then(asList, () => []),
	]);
	fill(document.getElementById("observations"), obs.map((o) => el("li", { "data-path": o.path },
		`${o.path} ${o.state || ""}, ${o.notifications ?? 0} notifications`)));
	fill(document.getElementById("ops"), ops.map((o) => el("li", {},
		[o.id, o.op || o.cmd, o.path, o.state].filter((x) => x != null).join(" "))));
}

// Values of a read or a notification (the decoder's JSON: "/o/i/r": value,
// and "names"): a read shows its values alone, a notification (@merge)
// updates its rows in place and adds the others.
function showValues(v, merge) {
	const names = (v && v.names) || {};
	const nameOf = (p) => names[p] || names[p.replace(/^(\/\d+)\/\d+/, "$1/x")] || "";
	const tbody = document.querySelector("#values tbody");
	if (!merge) tbody.replaceChildren();
	for (const [p, val] of Object.entries(v || {}).filter(([k]) => k.startsWith("/"))) {
		record(p, val);
		const row = tr({ "data-path": p }, p, nameOf(p),
			el("span", { class: "value" }, typeof val === "object" ? JSON.stringify(val) : val));
		const old = [...tbody.children].find((r) => r.dataset.path === p);
		if (old) {
			if (!row.children[1].textContent) row.children[1].textContent = old.children[1].textContent;
			old.replaceWith(row);
		} else {
			tbody.append(row);
		}
	}
	plot();
}

// Keep a numeric resource's last 60 values for the plot.
function record(path, val) {
	if (typeof val !== "number") return;
	const h = (state.history[path] = state.history[path] || []);
	h.push(val);
	if (h.length > 60) h.shift();
	state.plotPath = path;
}

function plot() {
	const svg = document.getElementById("plot");
	const h = state.history[state.plotPath] || [];
	svg.hidden = h.length < 2;
	if (svg.hidden) return;
	const lo = Math.min(...h), hi = Math.max(...h), span = hi - lo || 1;
	const pts = h.map((v, i) => `${(i * 300) / (h.length - 1)},${75 - ((v - lo) * 70) / span}`);
	svg.replaceChildren(el("polyline", { points: pts.join(" ") }),
		el("text", { x: 2, y: 10 }, `${state.plotPath} ${lo}…${hi}`));
}

async function operate(op) {
	const path = document.getElementById("op-path").value.trim().replace(/^\//, "");
	const value = document.getElementById("op-value").value;
	const base = "/api/clients/" + encodeURIComponent(state.ep) + "/" + path;
	const out = document.getElementById("op-result");
	out.classList.remove("error");
	out.textContent = op + " /" + path + " …";
	try {
		let r;
		if (op === "read") {
			r = await api("lwm2md", base);
			showValues(r.values);
		} else if (op === "discover") {
			r = await api("lwm2md", base + "/discover");
		} else if (op === "observe") {
			r = await api("lwm2md", base + "/observe", { method: "POST" });
			showValues(r.values, true);
		} else if (op === "cancel") {
			r = await api("lwm2md", base + "/observe", { method: "DELETE" });
		} else if (op === "write") {
			const v = value !== "" && !isNaN(Number(value)) ? Number(value) : value;
			r = await api("lwm2md", base, { method: "PUT", body: JSON.stringify({ value: v }),
				headers: { "Content-Type": "application/json" } });
		} else {
			r = await api("lwm2md", base, { method: "POST", body: value,
				headers: { "Content-Type": "text/plain" } });
		}
		out.textContent = `${op} /${path}: ` + JSON.stringify(r.links || r.code || "done");
		showDeviceLists();
	} catch (e) {
		out.textContent = `${op} /${path}: ${e.message}`;
		out.classList.add("error");
	}
}

// Follow daemon @d's server-sent events.  EventSource cannot send a bearer
// token, so the stream is read through fetch(); it reconnects when cut.
// Once it is open, what changed before (or while it was cut) is read again.
async function listen(d) {
	if (state.streams[d]) return;
	state.streams[d] = true;
	const headers = cfg.token ? { Authorization: "Bearer " + cfg.token } : {};
	try {
		const r = await fetch(cfg[d] + "/api/event", { headers });
		if (!r.ok) throw new Error(r.status);
		if (d === "lowpand" && current() === "mesh") showMesh("stream opened");
		const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
		let buf = "";
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			buf += value;
			let end;
			while ((end = buf.indexOf("\n\n")) >= 0) {
				onEvent(d, buf.slice(0, end));
				buf = buf.slice(end + 2);
			}
		}
	} catch (e) {
		/* down or cut: try again below */
	}
	state.streams[d] = false;
	setTimeout(() => listen(d), 5000);
}

function onEvent(d, block) {
	let name = "message", data = "";
	for (const line of block.split("\n"))
		if (line.startsWith("event:")) name = line.slice(6).trim();
		else if (line.startsWith("data:")) data += line.slice(5).trim();
	if (!data) return;
	const list = document.getElementById("events");
	list.prepend(el("li", { "data-event": name }, `${new Date().toLocaleTimeString()} ${d} ${name} ${data}`));
	while (list.children.length > 100) list.lastChild.remove();
	const ev = JSON.parse(data);
	if (d === "lwm2md" && name.startsWith("registration.")) showDevices();
	if (d === "lwm2md" && ev.endpoint === state.ep && ev.values) showValues(ev.values, true);
	if (d === "lwm2md" && ev.endpoint === state.ep && /^(observe\.ended|op\.)/.test(name)) showDeviceLists();
	if (d === "rdd" && current() === "rd") showRd();
	// the mesh picture follows lowpand's route, neighbour and admission changes
	if (d === "lowpand" && /^(route|neighbor|admission)\./.test(name) && current() === "mesh")
		showMesh(name);
}

/* ---- mesh ---- */
// Draw the mesh as lowpand has it now; @cause (the event that changed it)
// goes on the picture as data-event.  Events can come faster than the
// answers: only the latest call draws.
async function showMesh(cause) {
	const seq = ++state.meshSeq;
	let routes, neighbors, admitted = [];
	listen("lowpand");
	try {
		[routes, neighbors] = (await Promise.all([api("lowpand", "/api/dodag"),
			api("lowpand", "/api/neighbors")])).map(asList);
		admitted = asList(await api("lowpand", "/api/admitted").catch(() => []));
		if (seq !== state.meshSeq) return;
		note("mesh-note", `${routes.length} nodes in the DODAG, ${neighbors.length} heard directly`);
	} catch (e) {
		if (seq !== state.meshSeq) return;
		note("mesh-note", "lowpand: " + e.message, true);
		document.getElementById("dodag").replaceChildren();
		return;
	}
	document.getElementById("dodag").dataset.event = typeof cause === "string" ? cause : "page";
	// lowpand admits a node by its interface identifier: the last 64 bits of its addresses
	const iids = new Set(admitted.map((a) => a.iid.replace(/:/g, "").toLowerCase()));
	const isAdmitted = (addr) => iids.has(iidOf(addr));
	drawDodag(routes, neighbors, isAdmitted);
	// link quality: the ETX lowpand keeps from the dongle's reports of its unicast frames
	fill(document.querySelector("#neighbors tbody"), neighbors.map((n) => tr({ "data-ll": n.link_local },
		n.address, n.link_local, n.frames, ago(n.last_heard_s), `${n.tx_frames ?? 0} (${n.tx_acked ?? 0})`,
		el("span", { class: "etx" }, n.etx == null ? "–" : n.etx.toFixed(2)),
		isAdmitted(n.link_local) ? "yes" : "no")));
}

// The interface identifier of IPv6 address @addr as 16 hex digits.
function iidOf(addr) {
	const [head, tail] = addr.toLowerCase().split("::");
	const h = head ? head.split(":") : [], t = tail ? tail.split(":") : [];
	const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
	return groups.slice(4).map((g) => g.padStart(4, "0")).join("");
}

// The DODAG as layers by depth, each node under its parent.
function drawDodag(routes, neighbors, isAdmitted) {
	const svg = document.getElementById("dodag");
	const W = svg.clientWidth || 600, rows = {};
	for (const r of routes) (rows[r.depth] = rows[r.depth] || []).push(r);
	const pos = {};
	for (const [depth, rs] of Object.entries(rows))
		rs.forEach((r, i) => { pos[r.node] = { x: ((i + 1) * W) / (rs.length + 1), y: 30 + depth * 70 }; });
	const edges = routes.filter((r) => pos[r.parent]).map((r) => el("line", {
		class: "edge", "data-child": r.node, "data-parent": r.parent,
		x1: pos[r.parent].x, y1: pos[r.parent].y, x2: pos[r.node].x, y2: pos[r.node].y }));
	const nodes = routes.map((r) => {
		const cls = "node" + (r.depth === 0 ? " root" : "") + (isAdmitted(r.node) ? " admitted" : "");
		return el("g", { class: cls, "data-node": r.node, onclick: () => showNode(r, neighbors, isAdmitted) },
			el("title", {}, r.node),
			el("circle", { cx: pos[r.node].x, cy: pos[r.node].y, r: 12 }),
			el("text", { x: pos[r.node].x, y: pos[r.node].y + 26 }, r.node.replace(/^.*::/, "::")));
	});
	svg.setAttribute("viewBox", `0 0 ${W} ${Math.max(...Object.keys(rows).map(Number)) * 70 + 70}`);
	svg.replaceChildren(...edges, ...nodes);
}

function showNode(r, neighbors, isAdmitted) {
	const iid = r.node.replace(/^.*::/, "");
	const heard = neighbors.find((n) => n.link_local.endsWith("::" + iid));
	const lines = [`${r.node}`, `parent ${r.parent}`, `depth ${r.depth}`,
		r.lifetime_s != null ? `route lifetime ${ago(r.lifetime_s)}` : "DODAG root",
		`PANA-authenticated: ${isAdmitted(r.node) ? "yes" : "no"}`,
		heard ? `heard directly: ${heard.frames} frames, last ${ago(heard.last_heard_s)} ago` +
			(heard.etx == null ? "" : `, ETX ${heard.etx.toFixed(2)}`) : "not heard directly"];
	document.getElementById("node").replaceChildren(...lines.map((l) => el("div", {}, l)));
}

/* ---- resource directory ---- */
async function showRd() {
	const filter = document.getElementById("rd-filter").value.trim().split(/\s+/).filter(Boolean);
	const q = filter.length ? "?" + filter.map((f) => f.split("=").map(encodeURIComponent).join("=")).join("&") : "";
	try {
		const [eps, res] = (await Promise.all([api("rdd", "/rd-lookup/ep" + q),
			api("rdd", "/rd-lookup/res" + q)])).map(asList);
		note("rd-note", `${eps.length} endpoints, ${res.length} resources`);
		fill(document.querySelector("#rd-eps tbody"), eps.map((e) => tr({ "data-ep": e.ep },
			e.ep, e.d || "", e.base || "", e.lt ?? "")));
		fill(document.querySelector("#rd-res tbody"), res.map((r) => tr({},
			r.ep || "", r.href || r.anchor || "", Object.entries(r).filter(([k]) => !["ep", "href"].includes(k))
				.map(([k, v]) => `${k}=${v}`).join(" "))));
	} catch (e) {
		note("rd-note", "rdd: " + e.message, true);
		return;
	}
	const topics = asList(await api("rdd", "/api/topics").catch(() => []));
	const now = Date.now() / 1000;
	fill(document.querySelector("#rd-topics tbody"), topics.map((t) => tr({ "data-topic": t.name },
		t.name, t.data_path, t.state, t.subscribers, lastValue(t, now),
		t.expires == null ? "never" : ago(Math.max(0, Math.round(t.expires - now))))));
	listen("rdd");
}

// rdd's list carries a last value's text when it is text of up to 256 bytes (one
// request for every topic); a binary or longer one is shown by its size
function lastValue(t, now) {
	if (t.state !== "fully-created" || t.published == null) return "none";
	return el("span", {}, el("span", { class: "value" }, t.text ?? `${t.value_size} bytes`), " ",
		el("span", { class: "note" }, `(${ago(Math.max(0, Math.round(now - t.published)))} ago)`));
}

/* ---- pages ---- */
const PAGES = { status: showStatus, devices: showDevices, mesh: showMesh, rd: showRd, settings: showSettings };

function current() {
	const p = location.hash.slice(1).split("?")[0];
	return PAGES[p] ? p : "status";
}

function showSettings() {
	for (const k of ["token", ...Object.keys(DAEMONS)])
		document.getElementById("set-" + k).value = cfg[k];
}

function route() {
	const p = current();
	for (const s of document.querySelectorAll(".page")) s.classList.toggle("active", s.id === "page-" + p);
	for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === p);
	PAGES[p]();
}

document.getElementById("op-form").addEventListener("submit", (e) => {
	e.preventDefault();
	operate(e.submitter ? e.submitter.dataset.op : "read");
});
document.getElementById("rd-form").addEventListener("submit", (e) => { e.preventDefault(); showRd(); });
document.getElementById("settings-form").addEventListener("submit", (e) => {
	e.preventDefault();
	for (const k of ["token", ...Object.keys(DAEMONS)]) cfg[k] = document.getElementById("set-" + k).value.trim();
	localStorage.setItem("lwgate", JSON.stringify(cfg));
	location.hash = "#status";
});
window.addEventListener("hashchange", route);
// the mesh is redrawn on lowpand's events; uptimes and counters are polled
setInterval(() => { if (current() === "status") showStatus(); }, 5000);
route();
