// Castwright Studio: the little script behind the server-rendered pages.
// It sends the producer's actions (with the session token), follows jobs on the event
// stream, plays what comes back, and reloads the server's fragments after a re-mix.
"use strict";

const token = document.querySelector('meta[name="castwright-token"]').content;
const episode = document.body.dataset.episode || "";
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ---- talking to the studio ------------------------------------------------------------
// A refusal goes on an error card, unless the caller says it where the producer is looking
// (``inline``): then it is said once, there.
async function post(url, body = {}, { inline = false } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Castwright-Token": token },
      body: JSON.stringify(body),
    });
  } catch (err) { // the studio is not reachable (stopped, or the network refused)
    const problem = `cannot reach the studio (${err.message})`;
    if (!inline) showError(problem);
    throw new Error(problem);
  }
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const problem = data.error || `${response.status} ${response.statusText}`;
    if (!inline) showError(problem);
    throw new Error(problem);
  }
  if (data.job) trackJob(data.job);
  return data;
}

async function fragment(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" } });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new Error(data.error || response.statusText);
  }
  return response.text();
}

// ---- jobs: a card per job, bottom right -----------------------------------------------
const jobCards = new Map();
const jobWaiters = new Map(); // job id -> callbacks run when it is done
const quietJobs = new Set(); // jobs whose outcome the page says elsewhere: no card

function trackJob(job) {
  if (job.kind === "prepare") return; // background work the producer did not ask for
  if (quietJobs.has(job.id)) return;
  let card = jobCards.get(job.id);
  if (!card) {
    card = document.createElement("div");
    card.className = "job";
    card.dataset.job = job.id;
    card.innerHTML = '<div class="job-title"></div><div class="job-msg"></div>' +
      '<div class="bar"><div></div></div>';
    $("#jobs").appendChild(card);
    jobCards.set(job.id, card);
  }
  card.dataset.state = job.state;
  $(".job-title", card).textContent = job.title;
  $(".job-msg", card).textContent = job.state === "failed" ? job.error : job.message;
  $(".bar div", card).style.width = `${Math.round(100 * job.progress)}%`;
  if (job.state === "failed" && !$(".dismiss", card)) {
    const close = document.createElement("button");
    close.className = "dismiss";
    close.textContent = "×";
    close.title = "Dismiss";
    close.onclick = () => { card.remove(); jobCards.delete(job.id); };
    card.prepend(close);
  }
  if (job.state === "done") {
    setTimeout(() => { card.remove(); jobCards.delete(job.id); }, 2500);
  }
  if (job.state === "done" || job.state === "failed") {
    (jobWaiters.get(job.id) || []).forEach((fn) => fn(job));
    jobWaiters.delete(job.id);
  }
  if (job.line_id && job.episode === episode) {
    const row = $(`#line-${job.line_id}`);
    if (row) row.classList.toggle("working", job.state === "queued" || job.state === "running");
  }
}

function dropJobCard(jobId) {
  quietJobs.add(jobId);
  jobCards.get(jobId)?.remove();
  jobCards.delete(jobId);
}

function whenDone(jobId, fn) {
  jobWaiters.set(jobId, [...(jobWaiters.get(jobId) || []), fn]);
}

function showError(message) {
  trackJob({ id: `e${Date.now()}`, title: "Error", state: "failed", error: message,
             progress: 0, message });
}

// ---- the players ------------------------------------------------------------------------
const episodeAudio = $("#episode-audio");
const cueAudio = $("#cue-audio");
let cueLine = null; // the line whose take or cut the cue player holds

function nowPlaying(label, text) {
  const now = $("#now");
  if (!now) return;
  $(".now-label", now).textContent = label;
  $(".now-text", now).textContent = text;
}

function describe(lineId) {
  const row = lineRow(lineId);
  if (!row) return lineId || "";
  return `${lineId} · ${$(".speaker", row).textContent}: ${$(".text", row).textContent}`;
}

function playCue(url, lineId, label = "Cue") {
  if (episodeAudio) episodeAudio.pause();
  nowPlaying(label, describe(lineId));
  cueLine = lineId;
  cueAudio.src = url;
  cueAudio.play().catch(() => {});
  $$(".line.cue-playing").forEach((el) => el.classList.remove("cue-playing"));
  if (lineId) $(`#line-${lineId}`)?.classList.add("cue-playing");
}

function playFrom(seconds) {
  if (!episodeAudio) return;
  cueAudio?.pause();
  const go = () => {
    episodeAudio.currentTime = Math.max(0, seconds);
    episodeAudio.play().catch(() => {});
  };
  if (episodeAudio.readyState >= 1) go();
  else episodeAudio.addEventListener("loadedmetadata", go, { once: true });
}

function lineRow(lineId) { return $(`#line-${lineId}`); }

function playInContext(lineId) {
  const row = lineRow(lineId);
  if (row && row.dataset.start !== "") playFrom(parseFloat(row.dataset.start) - 1.0);
}

function playAlone(lineId) {
  const row = lineRow(lineId);
  if (row) playCue(`/episodes/${episode}/takes/${row.dataset.key}.wav`, lineId,
    `Take ${row.dataset.take} alone`);
}

function followPlayhead() {
  if (!episodeAudio) return;
  const strip = $("#strip");
  const t = episodeAudio.currentTime;
  if (strip) {
    const duration = parseFloat(strip.dataset.duration) || 1;
    $("#playhead").style.left = `${Math.min(100, (100 * t) / duration)}%`;
  }
  let current = null;
  $$(".line").forEach((row) => {
    const on = row.dataset.start !== "" && t >= parseFloat(row.dataset.start) &&
      t < parseFloat(row.dataset.end);
    row.classList.toggle("playing", on && !episodeAudio.paused);
    if (on) current = row;
  });
  if (!episodeAudio.paused) {
    nowPlaying("Episode", current ? describe(current.dataset.line) : "between lines");
  }
  return current;
}

// A new mix: new audio URL (same place, same play state), new picture, new rows.
let wantedVersion = document.body.dataset.version;

async function refreshEpisode(version) {
  if (!episode || wantedVersion === version) return;
  wantedVersion = version;
  if ($(".cast-page") && !$(".plan-out .plan")) { location.reload(); return; } // new voices
  if (episodeAudio) {
    const at = episodeAudio.currentTime;
    const playing = !episodeAudio.paused;
    const url = new URL(episodeAudio.src, location.href);
    url.searchParams.set("v", version);
    episodeAudio.src = url.pathname + url.search;
    episodeAudio.addEventListener("loadedmetadata", () => {
      episodeAudio.currentTime = at;
      if (playing) episodeAudio.play().catch(() => {});
    }, { once: true });
  }
  const picture = $("#episode-picture");
  if (picture) {
    const url = new URL(picture.src, location.href);
    url.searchParams.set("v", version);
    picture.src = url.pathname + url.search;
    picture.parentElement.href = picture.src;
  }
  if (!(await reloadFragments(() => wantedVersion !== version))) return;
  document.body.dataset.version = version; // the page now shows this mix throughout
}

// The rows, the deck and the open panel from the server again (a re-mix, new QA flags);
// false when ``superseded()`` says a newer refresh is on its way.
async function reloadFragments(superseded = () => false) {
  const [lines, deck] = await Promise.all([
    $("#lines") ? fragment(`/episodes/${episode}/fragments/lines`) : null,
    $("#deck") ? fragment(`/episodes/${episode}/fragments/deck`) : null,
  ]);
  if (superseded()) return false;
  if (lines !== null) $("#lines").innerHTML = lines;
  if (deck !== null) $("#deck").innerHTML = deck;
  if (selected) await openInspector(selected, false);
  return true;
}

// ---- the running order and the inspector -------------------------------------------------
let selected = null;

async function openInspector(lineId, scroll = true) {
  const panel = $("#inspector");
  if (!panel) return;
  selected = lineId;
  $$(".line.selected").forEach((el) => el.classList.remove("selected"));
  const row = lineRow(lineId);
  row?.classList.add("selected");
  if (scroll) row?.scrollIntoView({ block: "nearest" });
  // Its next take, made in the background while it is heard (New take then finds it ready).
  post(`/api/episodes/${episode}/lines/${lineId}/prepare`).catch(() => null);
  try {
    panel.innerHTML = await fragment(`/episodes/${episode}/fragments/lines/${lineId}`);
  } catch (err) {
    panel.innerHTML = "";
    showError(err.message);
    return;
  }
  $$('input[type="range"]', panel).forEach((input) => {
    const out = input.nextElementSibling;
    const show = () => { out.textContent = parseFloat(input.value).toFixed(2); };
    input.addEventListener("input", show);
    show();
  });
}

function lineAction(lineId, action, body = {}) {
  // A refused action is shown on its error card (post); nothing else waits on it.
  return post(`/api/episodes/${episode}/lines/${lineId}/${action}`, body).catch(() => null);
}

function onLinesClick(event) {
  const row = event.target.closest(".line");
  const seek = event.target.closest("[data-seek]");
  if (seek) { playFrom(parseFloat(seek.dataset.seek)); return; }
  if (!row) return;
  const lineId = row.dataset.line;
  if (event.target.closest(".play-alone")) { playAlone(lineId); return; }
  if (event.target.closest(".retake")) { lineAction(lineId, "retake"); return; }
  openInspector(lineId, false);
  playInContext(lineId);
}

function onInspectorClick(event) {
  const panel = event.target.closest(".panel");
  const button = event.target.closest("button");
  if (!panel || !button) return;
  const lineId = panel.dataset.line;
  const is = (name) => button.classList.contains(name);
  if (is("ab") || is("take-alone")) { // mark the take being heard
    $$(".takes tr.auditioning").forEach((tr) => tr.classList.remove("auditioning"));
    button.closest("tr").classList.add("auditioning");
  }
  if (is("close")) {
    selected = null;
    $$(".line.selected").forEach((el) => el.classList.remove("selected"));
    panel.remove();
  } else if (is("play-context")) playInContext(lineId);
  else if (is("play-alone")) playAlone(lineId);
  else if (is("retake")) lineAction(lineId, "retake");
  else if (is("ab")) {
    playCue(`/episodes/${episode}/lines/${lineId}/context.wav?take=${button.dataset.take}`, lineId,
      `Take ${button.dataset.take} in context`);
  } else if (is("take-alone")) {
    playCue(`/episodes/${episode}/takes/${button.dataset.key}.wav`, lineId,
      `Take ${button.closest("tr").dataset.take} alone`);
  } else if (is("keep")) lineAction(lineId, "keep", { take: parseInt(button.dataset.take, 10) });
  else if (is("reset")) lineAction(lineId, "reset");
  else if (is("clear-delivery")) lineAction(lineId, "delivery", { clear: true });
  else if (is("check-qa")) lineAction(lineId, "check");
  else if (is("try-pronounce")) lineAction(lineId, "pronounce", pronunciation(button.form, false));
}

function pronunciation(form, keep) {
  const kind = form.elements.kind.value; // "say" or "ipa"
  return { word: form.elements.word.value, [kind]: form.elements.value.value, keep };
}

function onInspectorSubmit(event) {
  const form = event.target;
  const panel = form.closest(".panel");
  if (!panel) return;
  event.preventDefault();
  const lineId = panel.dataset.line;
  if (form.classList.contains("edit-text")) {
    lineAction(lineId, "text", { text: form.elements.text.value });
  } else if (form.classList.contains("edit-voice")) {
    lineAction(lineId, "voice", { voice: form.elements.voice.value });
  } else if (form.classList.contains("pronounce")) {
    lineAction(lineId, "pronounce", pronunciation(form, true));
  } else if (form.classList.contains("edit-delivery")) {
    lineAction(lineId, "delivery", {
      pace: parseFloat(form.elements.pace.value),
      expressiveness: parseFloat(form.elements.expressiveness.value),
    });
  }
}

function onKey(event) {
  if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey) return;
  const rows = $$(".line");
  const index = rows.findIndex((row) => row.dataset.line === selected);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const next = rows[Math.max(0, Math.min(rows.length - 1,
      index + (event.key === "ArrowDown" ? 1 : -1)))];
    if (next) openInspector(next.dataset.line);
  } else if (event.key === "Enter" && selected) playInContext(selected);
  else if ((event.key === "a" || event.key === "A") && selected) playAlone(selected);
  else if ((event.key === "r" || event.key === "R") && selected) lineAction(selected, "retake");
  else if (event.key === " " && episodeAudio) {
    if (episodeAudio.paused) episodeAudio.play().catch(() => {}); else episodeAudio.pause();
  } else return;
  event.preventDefault();
}

// ---- the cast page ---------------------------------------------------------------------
function castForm(event) {
  const person = event.target.closest(".person");
  return person ? { person, name: person.dataset.name, voice: $("select", person).value } : null;
}

async function showPlan(person, name, voice) {
  const out = $(".plan-out", person);
  const response = await fetch(`/api/episodes/${episode}/cast/${encodeURIComponent(name)}` +
    `/plan?voice=${encodeURIComponent(voice)}`);
  const plan = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(plan.error || response.statusText); // said inline
  if (voice === person.dataset.voice && plan.lines.every((l) => l.from === voice)) {
    out.innerHTML = '<p class="muted small">That is the voice every line already uses.</p>';
    return;
  }
  const items = plan.lines.map((l) =>
    `<li class="${l.synthesize ? "synth" : "cached"}"><code>${l.line_id}</code> ` +
    `${escapeHtml(l.text.slice(0, 90))}${l.text.length > 90 ? "…" : ""} ` +
    `<span class="muted">${l.synthesize ? "synthesize" : "from cache"}</span></li>`).join("");
  out.innerHTML =
    `<div class="plan"><p><b>${plan.synthesize}</b> line(s) to synthesize, ${plan.cached} from ` +
    `the cache (about ${plan.estimate_seconds} s), then a re-mix.</p><ul>${items}</ul>` +
    `<button type="button" class="confirm primary">Change ${escapeHtml(name)} to ` +
    `${escapeHtml(voice)}</button> <button type="button" class="cancel">Cancel</button></div>`;
}

function onCastClick(event) {
  const form = castForm(event);
  const button = event.target.closest("button");
  if (!form || !button) return;
  const base = `/api/episodes/${episode}/cast/${encodeURIComponent(form.name)}`;
  const out = $(".plan-out", form.person);
  // A refused or failed request is said where the producer is looking, and only there.
  const failed = (what) => (err) => {
    out.innerHTML = '<p class="error" role="alert"></p>';
    $(".error", out).textContent = `${what}: ${err.message}`;
    button.disabled = false;
  };
  if (button.classList.contains("audition")) {
    post(`${base}/audition`, { voice: form.voice }, { inline: true })
      .catch(failed(`Could not audition ${form.voice}`));
  } else if (button.classList.contains("plan")) {
    showPlan(form.person, form.name, form.voice)
      .catch(failed(`Could not list the lines ${form.voice} would change`));
  } else if (button.classList.contains("cancel")) out.innerHTML = "";
  else if (button.classList.contains("confirm")) {
    button.disabled = true;
    const what = `Could not change ${form.name} to ${form.voice}`;
    const change = post(base, { voice: form.voice }, { inline: true });
    change.then(({ job }) => whenDone(job.id, (done) => {
      if (done.state === "done") {
        out.innerHTML = '<p class="muted small">Changed; re-mixing the episode…</p>';
      } else {
        dropJobCard(job.id); // its card would say it a second time
        failed(what)(new Error(done.error || "the change failed"));
      }
    })).catch(failed(what));
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---- events from the studio --------------------------------------------------------------
function listen() {
  const source = new EventSource(episode ? `/events?episode=${encodeURIComponent(episode)}`
    : "/events");
  source.addEventListener("job", (e) => trackJob(JSON.parse(e.data)));
  source.addEventListener("heard", (e) => {
    const heard = JSON.parse(e.data);
    if (heard.episode !== episode) return;
    playCue(heard.url, heard.line_id, heard.label);
    const row = lineRow(heard.line_id);
    if (row) { row.classList.add("remixing"); }
    const note = $(`#inspector .panel[data-line="${heard.line_id}"] .espeak`);
    if (note && heard.espeak_ipa) note.textContent = `Unaided, the voices read it /${heard.espeak_ipa}/.`;
  });
  source.addEventListener("qa", (e) => {
    const checked = JSON.parse(e.data);
    if (checked.episode === episode) reloadFragments().then(() => {
      document.body.dataset.qa = String(Number(document.body.dataset.qa || 0) + 1);
    });
  });
  source.addEventListener("episode", (e) => {
    const changed = JSON.parse(e.data);
    if (changed.episode === episode) refreshEpisode(changed.version);
  });
  source.addEventListener("open", () => document.body.classList.remove("offline"));
  source.addEventListener("error", () => document.body.classList.add("offline"));
}

function setup() {
  listen();
  $("#lines")?.addEventListener("click", onLinesClick);
  $(".chapters")?.addEventListener("click", onLinesClick);
  $("#inspector")?.addEventListener("click", onInspectorClick);
  $("#inspector")?.addEventListener("submit", onInspectorSubmit);
  $(".cast-page")?.addEventListener("click", onCastClick);
  $("#deck")?.addEventListener("click", (event) => {
    if (event.target.closest(".check-episode")) {
      post(`/api/episodes/${episode}/check`).catch(() => null);
      return;
    }
    const strip = event.target.closest("#strip");
    if (!strip) return;
    const box = strip.getBoundingClientRect();
    playFrom(((event.clientX - box.left) / box.width) * parseFloat(strip.dataset.duration));
  });
  cueAudio?.addEventListener("ended", () => {
    $$(".takes tr.auditioning, .line.cue-playing").forEach((el) =>
      el.classList.remove("auditioning", "cue-playing"));
  });
  if (episodeAudio) {
    episodeAudio.addEventListener("timeupdate", followPlayhead);
    episodeAudio.addEventListener("pause", followPlayhead);
  }
  document.addEventListener("keydown", onKey);
  $("#publish")?.addEventListener("click", () => post("/api/publish").then(({ job }) =>
    whenDone(job.id, (done) => {
      if (done.state === "done") $("#feed-link").hidden = false;
    })));
}

setup();
