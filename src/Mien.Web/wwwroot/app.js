'use strict';
// Mien's page: photo mode (boxes, labels, probability bars, Grad-CAM) and webcam mode (5 frames/s, one in flight,
// per-face timelines). Plain JS, no dependencies; everything is drawn on canvases.
const $ = s => document.querySelector(s);
const COLORS = { anger: '#e5484d', disgust: '#30a46c', fear: '#8e4ec6', happy: '#f5a524', sadness: '#3e63dd', surprise: '#12a594', neutral: '#8b8d98' };
const FALLBACK = ['#d6409f', '#0090ff', '#ad7f58', '#46a758', '#e54666'];
const color = c => COLORS[c] || FALLBACK[[...c].reduce((a, ch) => a + ch.charCodeAt(0), 0) % FALLBACK.length];
let classes = [];
let apiKey = localStorage.getItem('mien-api-key') || '';

async function api(path, body, type) {
  const headers = {};
  if (type) headers['Content-Type'] = type;
  if (apiKey) headers['X-Api-Key'] = apiKey;
  const r = await fetch(path, body ? { method: 'POST', body, headers } : { headers });
  if (r.status === 401) { $('#key-box').hidden = false; $('#api-key').focus(); }
  const data = (r.headers.get('Content-Type') || '').includes('json') ? await r.json() : await r.blob();
  if (!r.ok) throw new Error(data.detail || data.title || `HTTP ${r.status}`);
  return data;
}

$('#api-key').value = apiKey;
$('#api-key').addEventListener('change', e => { apiKey = e.target.value; localStorage.setItem('mien-api-key', apiKey); loadModel(); });

async function loadModel() {
  try {
    const m = await api('/v1/model');
    classes = m.classes;
    $('#model').textContent = `${m.name} · ${m.classes.length} emotions · ${m.precision || 'float32'}`;
  } catch (e) { $('#model').textContent = e.message; }
}
loadModel();

// ---- tabs
for (const mode of ['photo', 'webcam']) {
  $('#mode-' + mode).addEventListener('click', () => {
    for (const m of ['photo', 'webcam']) {
      $('#' + m).hidden = m !== mode;
      $('#mode-' + m).classList.toggle('active', m === mode);
      $('#mode-' + m).setAttribute('aria-selected', m === mode);
    }
    if (mode === 'webcam' && !camera.stream) camera.start();
    if (mode === 'photo') camera.stop();
  });
}

// ---- drawing helpers
function faceCard(face, i) {
  const probs = Object.entries(face.probabilities).sort((a, b) => b[1] - a[1]);
  return `<div class="face"><div class="face-head"><span class="n">Face ${i + 1}</span>
    <span class="emotion" style="color:${color(face.emotion)}">${face.emotion}</span><span class="conf">${(100 * face.confidence).toFixed(0)}%</span></div>
    ${probs.map(([c, p]) => `<div class="bar"><span>${c}</span><span class="track"><span class="fill" style="width:${(100 * p).toFixed(1)}%;background:${color(c)}"></span></span><span class="v">${(100 * p).toFixed(0)}%</span></div>`).join('')}
    </div>`;
}

function drawBoxes(ctx, faces, scale) {
  ctx.lineWidth = Math.max(2, 3 * scale);
  ctx.font = `600 ${Math.max(13, Math.round(16 * scale))}px system-ui, sans-serif`;
  faces.forEach((f, i) => {
    const { x, y, width, height } = f.box;
    const c = color(f.emotion);
    ctx.strokeStyle = c;
    ctx.strokeRect(x * scale, y * scale, width * scale, height * scale);
    const label = `${i + 1} ${f.emotion} ${(100 * f.confidence).toFixed(0)}%`;
    const w = ctx.measureText(label).width + 10, h = parseInt(ctx.font.split(' ')[1]) + 8;
    const ly = y * scale - h >= 0 ? y * scale - h : y * scale + height * scale;
    ctx.fillStyle = c;
    ctx.fillRect(x * scale - ctx.lineWidth / 2, ly, w, h);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, x * scale + 4, ly + h - 7);
  });
}

function jet(v) { // the colour map the CLI's overlays use
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3))), g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2))), b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
  return [255 * r, 255 * g, 255 * b];
}

function drawHeatmaps(ctx, faces, scale) {
  for (const f of faces) {
    const n = f.heatmap_size, small = document.createElement('canvas');
    small.width = small.height = n;
    const sctx = small.getContext('2d'), img = sctx.createImageData(n, n);
    f.heatmap.forEach((v, k) => { const [r, g, b] = jet(v); img.data.set([r, g, b, 60 + 150 * v], 4 * k); });
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, f.box.x * scale, f.box.y * scale, f.box.width * scale, f.box.height * scale);
  }
}

// ---- photo mode
const photo = { bitmap: null, blob: null, result: null, cams: null };
const drop = $('#drop');
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) analyse(e.dataTransfer.files[0]); });
$('#file').addEventListener('change', e => { if (e.target.files[0]) analyse(e.target.files[0]); });
$('#gradcam').addEventListener('change', () => photo.blob && explainIfWanted().then(renderPhoto));

async function analyse(file) {
  photo.blob = file; photo.cams = null; photo.result = null;
  $('#photo-status').textContent = 'Reading emotions…';
  $('#faces').innerHTML = '<p class="muted">Working…</p>';
  try { photo.bitmap = await createImageBitmap(file); } catch { photo.bitmap = null; }
  try {
    photo.result = await api('/v1/predict', file, file.type || 'application/octet-stream');
    await explainIfWanted();
    const t = photo.result.timings;
    $('#photo-status').textContent = `${photo.result.faces.length} face(s) · ${t.total_ms.toFixed(0)} ms on the server`;
  } catch (e) {
    $('#photo-status').textContent = '';
    $('#faces').innerHTML = `<p class="error">${e.message}</p>`;
    return;
  }
  renderPhoto();
}

async function explainIfWanted() {
  if (!$('#gradcam').checked || photo.cams || !photo.result?.faces.length) return;
  try { photo.cams = (await api('/v1/explain?format=json', photo.blob, photo.blob.type || 'application/octet-stream')).faces; }
  catch (e) { $('#photo-status').textContent = 'Grad-CAM: ' + e.message; }
}

function renderPhoto() {
  const r = photo.result;
  if (!r) return;
  const canvas = $('#photo-canvas');
  $('#drop-hint').hidden = true;
  canvas.hidden = false;
  const maxW = drop.clientWidth - 4, maxH = 640;
  const scale = Math.min(1, maxW / r.width, maxH / r.height), dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(r.width * scale * dpr); canvas.height = Math.round(r.height * scale * dpr);
  canvas.style.width = `${Math.round(r.width * scale)}px`;
  const ctx = canvas.getContext('2d');
  if (photo.bitmap) ctx.drawImage(photo.bitmap, 0, 0, canvas.width, canvas.height);
  if ($('#gradcam').checked && photo.cams) drawHeatmaps(ctx, photo.cams, scale * dpr);
  drawBoxes(ctx, r.faces, scale * dpr);
  $('#faces').innerHTML = r.faces.length ? r.faces.map(faceCard).join('') : '<p class="muted">No face found in this photo.</p>';
}

// ---- webcam mode: a steady 5 frames/s, never more than one request in flight. Frames go over the /v1/track
// WebSocket (the service tracks and smooths each face); with an API key (browsers cannot send it on a socket) or if the
// socket fails, they are posted to /v1/predict and tracked here.
const camera = {
  stream: null, timer: null, busy: false, tracks: [], nextId: 1, sent: 0, started: 0, latency: 0, socket: null, reply: null,
  openSocket() {
    if (apiKey || !window.WebSocket) return;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/track`);
    ws.onmessage = e => { const r = this.reply; this.reply = null; r?.resolve(JSON.parse(e.data)); };
    ws.onclose = ws.onerror = () => { if (this.socket === ws) this.socket = null; const r = this.reply; this.reply = null; r?.reject(new Error('the tracking socket closed')); };
    this.socket = ws;
  },
  async ask(blob) {
    if (this.socket?.readyState !== WebSocket.OPEN) return api('/v1/predict', blob, 'image/jpeg');
    const r = await new Promise((resolve, reject) => { this.reply = { resolve, reject }; this.socket.send(blob); });
    if (r.error) throw new Error(r.error);
    // Shown like /v1/predict's faces, with the service's track id and smoothed probabilities.
    return { faces: r.faces.map(f => ({ ...f, probabilities: f.smoothed })) };
  },
  async start() {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    } catch (e) {
      $('#cam-status').innerHTML = `<span class="error">No camera: ${e.message}</span>`;
      return;
    }
    $('#video').srcObject = this.stream;
    $('#cam-hint').hidden = true;
    $('#cam-toggle').textContent = 'Stop camera';
    this.tracks = []; this.sent = 0; this.started = performance.now();
    this.openSocket();
    this.timer = setInterval(() => this.tick(), 200);
  },
  stop() {
    clearInterval(this.timer); this.timer = null;
    this.stream?.getTracks().forEach(t => t.stop());
    this.stream = null;
    this.socket?.close(); this.socket = null;
    $('#cam-toggle').textContent = 'Start camera';
  },
  async tick() {
    const video = $('#video');
    if (this.busy || !video.videoWidth) return;
    this.busy = true;
    const grab = document.createElement('canvas');
    const s = Math.min(1, 640 / video.videoWidth);
    grab.width = Math.round(video.videoWidth * s); grab.height = Math.round(video.videoHeight * s);
    grab.getContext('2d').drawImage(video, 0, 0, grab.width, grab.height);
    const t0 = performance.now();
    try {
      const blob = await new Promise(res => grab.toBlob(res, 'image/jpeg', 0.85));
      const r = await this.ask(blob);
      this.latency = performance.now() - t0;
      this.sent++;
      this.show(r, grab.width, grab.height);
    } catch (e) {
      $('#cam-status').innerHTML = `<span class="error">${e.message}</span>`;
    } finally { this.busy = false; }
  },
  show(r, w, h) {
    const canvas = $('#video-canvas'), wrap = canvas.parentElement;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = wrap.clientWidth * dpr; canvas.height = wrap.clientHeight * dpr;
    const scale = Math.min(canvas.width / w, canvas.height / h);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, (canvas.width - w * scale) / 2, (canvas.height - h * scale) / 2);
    drawBoxes(ctx, r.faces, scale);
    const now = performance.now();
    const ids = r.faces.map(f => this.track(f, now));
    this.tracks = this.tracks.filter(t => now - t.seen < 3000);
    const rate = this.sent / ((now - this.started) / 1000);
    $('#cam-status').textContent = `${rate.toFixed(1)} frames/s · ${this.latency.toFixed(0)} ms per frame`;
    $('#live-faces').innerHTML = r.faces.length ? r.faces.map((f, i) => faceCard(f, ids[i] - 1)).join('') : '<p class="muted">No face in view.</p>';
    this.drawTimelines(now);
  },
  track(face, now) { // the service's track id, or else the nearest recent track within half a face width keeps its id
    const cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height / 2;
    let best = null, bestD = face.box.width / 2;
    if (face.track !== undefined) best = this.tracks.find(t => t.id === face.track) || null;
    else for (const t of this.tracks) { const d = Math.hypot(t.cx - cx, t.cy - cy); if (d < bestD && t.seen !== now) { best = t; bestD = d; } }
    if (!best) { best = { id: face.track ?? this.nextId++, history: [] }; this.tracks.push(best); }
    Object.assign(best, { cx, cy, seen: now });
    best.history.push({ t: now, p: face.probabilities });
    while (best.history.length && now - best.history[0].t > 20000) best.history.shift();
    return best.id;
  },
  drawTimelines(now) {
    const box = $('#timelines');
    const shown = this.tracks.slice(0, 3);
    if (!shown.length) { box.innerHTML = '<p class="muted">No face in view.</p>'; return; }
    box.innerHTML = '';
    for (const t of shown) {
      const title = document.createElement('div');
      title.className = 'muted'; title.textContent = `Face ${t.id} · last 20 s`;
      const c = document.createElement('canvas');
      box.append(title, c);
      const dpr = window.devicePixelRatio || 1, W = c.clientWidth * dpr, H = c.clientHeight * dpr;
      c.width = W; c.height = H;
      const ctx = c.getContext('2d');
      ctx.strokeStyle = '#eef0f3'; ctx.lineWidth = 1;
      for (const q of [0.25, 0.5, 0.75]) { ctx.beginPath(); ctx.moveTo(0, H * q); ctx.lineTo(W, H * q); ctx.stroke(); }
      for (const cls of (classes.length ? classes : Object.keys(t.history[0].p))) {
        ctx.strokeStyle = color(cls); ctx.lineWidth = 2 * dpr; ctx.beginPath();
        t.history.forEach((s, k) => {
          const x = W - (now - s.t) / 20000 * W, y = H - 4 - (H - 8) * (s.p[cls] || 0);
          k ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
        });
        ctx.stroke();
      }
    }
    const legend = document.createElement('div');
    legend.className = 'legend';
    legend.innerHTML = (classes.length ? classes : []).map(c => `<span><i style="background:${color(c)}"></i>${c}</span>`).join('');
    box.append(legend);
  },
};
$('#cam-toggle').addEventListener('click', () => camera.stream ? camera.stop() : camera.start());
