// The citybrain console: draws the city model once, then polls /api/live and restyles in place.
// Plain script on purpose: no build step besides packaging Leaflet, and nothing loaded from the network.
(function () {
  'use strict';

  const POLL_MS = 2000;
  const ROADS_FROM_ZOOM = 13;
  const COMMUNITIES_FROM_ZOOM = 11;
  const LEVEL_COLOURS = ['#2e7d32', '#f9a825', '#ef6c00', '#c62828'];
  const NO_DATA = '#9aa5ae';
  const LEVEL_NAMES = ['smooth', 'slow', 'congested', 'severe'];

  // Same thresholds as the segment level of ARCHITECTURE.md (< 1.5 smooth, < 1.8 slow, < 2.0 congested).
  function ttiColour(tti) {
    if (tti == null) return NO_DATA;
    return LEVEL_COLOURS[tti < 1.5 ? 0 : tti < 1.8 ? 1 : tti < 2.0 ? 2 : 3];
  }

  function levelColour(level) {
    return level == null ? NO_DATA : LEVEL_COLOURS[Math.max(0, Math.min(3, level))];
  }

  // The token state changes need (issue 23): it comes in the URL the local city printed, is kept for
  // this tab only, and leaves the address bar (and so history, bookmarks and screen shares) at once.
  const TOKEN_KEY = 'citybrain.token';
  const given = new URLSearchParams(location.search).get('token');
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, '', location.pathname + location.hash);
  }
  const token = sessionStorage.getItem(TOKEN_KEY) || '';

  const map = L.map('map', { zoomSnap: 0.5, attributionControl: false });
  // Roads above the area fills, alerts above the roads: each kind in a pane of its own.
  map.createPane('roads').style.zIndex = 450;
  map.createPane('alerts').style.zIndex = 620;
  const svg = L.svg();
  const canvas = L.canvas({ padding: 0.3, pane: 'roads' });
  const alertSvg = L.svg({ pane: 'alerts' });
  const operator = document.getElementById('operator');
  operator.value = localStorage.getItem('citybrain.operator') || operator.value;
  operator.addEventListener('change', () => localStorage.setItem('citybrain.operator', operator.value.trim()));

  let districtsLayer = null;
  let communitiesLayer = null;
  let roadsLayer = null;
  const alertsLayer = L.layerGroup({ pane: 'alerts' }).addTo(map);
  let live = { districts: [], segments: {}, alerts: [], pipeline: [] };
  const levelByDistrict = new Map();

  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then((r) => {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function districtStyle(feature) {
    const level = levelByDistrict.get(feature.properties.code);
    return { renderer: svg, className: 'district', color: '#34495e', weight: 1.5, fillOpacity: 0.45, fillColor: levelColour(level) };
  }

  function communityStyle(feature) {
    const level = levelByDistrict.get(feature.properties.district);
    return { renderer: svg, className: 'community', color: '#51606e', weight: 0.6, dashArray: '2 3', fillOpacity: 0.15, fillColor: levelColour(level) };
  }

  function roadStyle(feature) {
    const tti = live.segments[feature.properties.id];
    const major = feature.properties.roadClass === 'expressway' || feature.properties.roadClass === 'arterial';
    return { pane: 'roads', renderer: canvas, color: ttiColour(tti), weight: major ? 3.5 : 2, opacity: tti == null ? 0.6 : 1 };
  }

  // Whose city this is, from its package's manifest; names go in as text, never as markup.
  getJson('/api/city/city.json').then((manifest) => {
    const name = (manifest.name && (manifest.name.en || manifest.name.zh)) || manifest.id;
    const zh = manifest.name && manifest.name.zh && manifest.name.zh !== name ? ' ' + manifest.name.zh : '';
    document.title = 'citybrain console: ' + name + zh;
    const title = document.querySelector('header h1 span');
    if (title) title.textContent = 'live console · ' + name + zh;
  }).catch(() => { /* a console without a package (tests) keeps its plain title */ });

  Promise.all([
    getJson('/api/city/districts.geojson'),
    getJson('/api/city/communities.geojson'),
    getJson('/api/city/roads.geojson'),
  ]).then(([districts, communities, roads]) => {
    districtsLayer = L.geoJSON(districts, {
      style: districtStyle,
      onEachFeature: (f, layer) => layer.bindTooltip(() => textTip(districtTip(f.properties)), { sticky: true }),
    }).addTo(map);
    communitiesLayer = L.geoJSON(communities, {
      style: communityStyle,
      onEachFeature: (f, layer) => layer.bindTooltip(() => textTip(f.properties.name + ' (' + f.properties.id + ')'), { sticky: true }),
    });
    roadsLayer = L.geoJSON(roads, {
      style: roadStyle,
      onEachFeature: (f, layer) => layer.bindTooltip(() => textTip(roadTip(f.properties)), { sticky: true }),
    });
    // A view can be shared as #lat,lon,zoom.
    const shared = /^#(-?[\d.]+),(-?[\d.]+),([\d.]+)$/.exec(location.hash);
    if (shared) {
      map.setView([Number(shared[1]), Number(shared[2])], Number(shared[3]));
    } else {
      map.fitBounds(districtsLayer.getBounds());
    }
    map.on('zoomend', showByZoom);
    showByZoom();
    document.getElementById('map').dataset.districts = String(districts.features.length);
    restyle();
  }).catch((e) => setStatus('cannot load the city: ' + e.message, true));

  function showByZoom() {
    const z = map.getZoom();
    toggle(communitiesLayer, z >= COMMUNITIES_FROM_ZOOM);
    toggle(roadsLayer, z >= ROADS_FROM_ZOOM);
  }

  function toggle(layer, on) {
    if (!layer) return;
    if (on && !map.hasLayer(layer)) layer.addTo(map);
    if (!on && map.hasLayer(layer)) map.removeLayer(layer);
  }

  // Leaflet puts a string tooltip in as HTML. Names and alert messages come from devices, payloads
  // and published layers, so every tooltip is an element whose text is set as text (issue 23: a
  // buildingId carrying <img onerror=...> ran a script on hover).
  function textTip(text) {
    const el = document.createElement('div');
    el.style.whiteSpace = 'pre-line';
    el.textContent = text;
    return el;
  }

  function districtTip(p) {
    const d = live.districts.find((x) => x.district === p.code);
    let text = p.name + ' ' + p.code;
    if (d) {
      text += '\nTTI ' + fmt(d.tti, 2) + ' · ' + (LEVEL_NAMES[d.level] || '?') + ' · ' + fmt(d.mean_speed_kmh, 1) + ' km/h';
    }
    return text;
  }

  function roadTip(p) {
    const tti = live.segments[p.id];
    return p.id + ' (' + p.roadClass + ')' + (tti == null ? '' : ' TTI ' + fmt(tti, 2));
  }

  function restyle() {
    levelByDistrict.clear();
    // No TTI (NaN in the store) means no level worth colouring: grey, not "severe".
    for (const d of live.districts) levelByDistrict.set(d.district, d.tti == null ? null : d.level);
    if (districtsLayer) districtsLayer.setStyle(districtStyle);
    if (communitiesLayer && map.hasLayer(communitiesLayer)) communitiesLayer.setStyle(communityStyle);
    if (roadsLayer && map.hasLayer(roadsLayer)) roadsLayer.setStyle(roadStyle);
    drawAlertMarkers();
  }

  function drawAlertMarkers() {
    alertsLayer.clearLayers();
    for (const a of live.alerts) {
      if (!isOpen(a) || !(a.lat || a.lon)) continue;
      const incident = a.kind === 'traffic_incident';
      const colour = a.severity === 'critical' ? '#c62828' : a.severity === 'warning' ? '#ef6c00' : '#1565c0';
      L.circleMarker([a.lat, a.lon], {
        pane: 'alerts', renderer: alertSvg, className: incident ? 'incident-marker' : 'alert-marker', radius: incident ? 6 : 8,
        color: incident ? '#263238' : '#ffffff', weight: 2, dashArray: incident ? '3 2' : null,
        fillColor: colour, fillOpacity: 0.9,
      }).bindTooltip(() => textTip(a.kind + ' · ' + a.severity + ' · ' + a.state + '\n' + (a.message || ''))).addTo(alertsLayer);
    }
  }

  function isOpen(a) {
    return a.state === 'raised' || a.state === 'escalated';
  }

  function fmt(v, digits) {
    return v == null ? '–' : Number(v).toFixed(digits);
  }

  function setText(id, value) {
    document.getElementById(id).textContent = value;
  }

  function showFigures(f) {
    setText('fig-mean-tti', fmt(f.meanTti, 2));
    setText('fig-districts', String(f.districtsReporting));
    setText('fig-congested', String(f.congestedDistricts));
    setText('fig-open-alerts', String(f.openAlerts));
    setText('fig-critical', String(f.criticalOpen));
    setText('fig-window', f.lastWindow ? f.lastWindow.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  const pendingAcks = new Set();

  function showAlerts(alerts) {
    const body = document.querySelector('#alerts tbody');
    body.replaceChildren();
    document.getElementById('no-alerts').hidden = alerts.length > 0;
    // Open ones first, then the newest; the list stays short enough to read.
    const sorted = alerts.slice().sort((a, b) => (isOpen(b) - isOpen(a)) || (b.ts - a.ts));
    for (const a of sorted.slice(0, 100)) {
      const tr = document.createElement('tr');
      tr.className = 'alert-row ' + a.severity + ' ' + a.state;
      tr.dataset.alertId = a.alertId;
      tr.title = a.message || '';
      cell(tr, a.kind, 'kind');
      cell(tr, a.severity, 'severity');
      cell(tr, a.state + (a.acknowledgedBy ? ' by ' + a.acknowledgedBy : ''), 'state').dataset.state = a.state;
      cell(tr, a.district + (a.community ? ' / ' + a.community : ''), 'where');
      cell(tr, new Date(a.ts).toLocaleTimeString(), 'time');
      const td = cell(tr, '', 'action');
      if (isOpen(a)) {
        const button = document.createElement('button');
        button.className = 'ack';
        button.textContent = pendingAcks.has(a.alertId) ? 'sent…' : 'Acknowledge';
        button.disabled = pendingAcks.has(a.alertId);
        button.addEventListener('click', () => acknowledge(a.alertId, button));
        td.appendChild(button);
      } else {
        pendingAcks.delete(a.alertId);
      }
      tr.addEventListener('click', (e) => {
        if (e.target.tagName !== 'BUTTON' && (a.lat || a.lon)) map.setView([a.lat, a.lon], Math.max(map.getZoom(), 14));
      });
      body.appendChild(tr);
    }
  }

  function acknowledge(alertId, button) {
    const by = operator.value.trim() || 'operator';
    button.disabled = true;
    button.textContent = 'sent…';
    pendingAcks.add(alertId);
    fetch('/api/alerts/' + encodeURIComponent(alertId) + '/ack', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Citybrain-Token': token },
      body: JSON.stringify({ by: by }),
    }).then((r) => {
      if (r.status === 403) {
        return r.text().then((t) => { throw new Error(t || 'HTTP 403'); });
      }
      if (r.status !== 202) {
        return r.json().then((e) => { throw new Error(e.error || 'HTTP ' + r.status); });
      }
      setStatus('acknowledgement of ' + alertId + ' published on city/ack/' + alertId, false);
    }).catch((e) => {
      pendingAcks.delete(alertId);
      button.disabled = false;
      button.textContent = 'Acknowledge';
      setStatus('acknowledging ' + alertId + ' failed: ' + e.message, true);
    });
  }

  function showPipeline(rows) {
    const body = document.querySelector('#pipeline tbody');
    body.replaceChildren();
    document.getElementById('no-pipeline').hidden = rows.length > 0;
    for (const p of rows) {
      const tr = document.createElement('tr');
      tr.className = 'stage-row';
      cell(tr, p.stage);
      cell(tr, String(p.events_in ?? '–'));
      cell(tr, String(p.events_out ?? '–'));
      cell(tr, String(p.deadletter ?? '–'), p.deadletter > 0 ? 'warn' : '');
      cell(tr, fmt(p.lag_ms, 0));
      cell(tr, p.timestamp ? new Date(p.timestamp).toLocaleTimeString() : '–');
      body.appendChild(tr);
    }
  }

  function setStatus(text, problem) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.classList.toggle('problem', !!problem);
  }

  function poll() {
    getJson('/api/live').then((snapshot) => {
      live = snapshot;
      showFigures(snapshot.figures);
      showAlerts(snapshot.alerts);
      showPipeline(snapshot.pipeline);
      restyle();
      if (snapshot.problems.length) {
        setStatus('updated ' + new Date(snapshot.generatedAt).toLocaleTimeString() + ' — ' + snapshot.problems.join('; '), true);
      } else {
        setStatus('live · updated ' + new Date(snapshot.generatedAt).toLocaleTimeString(), false);
      }
    }).catch((e) => setStatus('no answer from the console server: ' + e.message, true))
      .finally(() => setTimeout(poll, POLL_MS));
  }

  poll();
})();
