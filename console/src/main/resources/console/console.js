// The citybrain console: draws the city model once, then follows /api/live/stream and restyles in place.
// Plain script on purpose: no build step besides packaging Leaflet, and nothing loaded from the network.
(function () {
  'use strict';

  const RETRY_MS = 2000;
  const ROADS_FROM_ZOOM = 13;
  const COMMUNITIES_FROM_ZOOM = 11;
  const LEVEL_COLOURS = ['#2e7d32', '#f9a825', '#ef6c00', '#c62828'];
  const NO_DATA = '#9aa5ae';
  const WORDS = window.CITYBRAIN_I18N;
  const LANG_KEY = 'citybrain.lang';
  const SOUND_KEY = 'citybrain.sound';
  // The language chosen here is remembered for this browser; the first time, the browser's own.
  let lang = localStorage.getItem(LANG_KEY) || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  if (!WORDS[lang]) lang = 'en';
  const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  function t(key) {
    let text = (WORDS[lang] && WORDS[lang][key]) || WORDS.en[key];
    if (text == null) return null;
    for (let i = 1; i < arguments.length; i++) text = text.split('{' + (i - 1) + '}').join(String(arguments[i]));
    return text;
  }

  // A contract code in words (kind, severity, state), or the code itself when it is new to this page.
  function word(family, code) {
    return code == null ? '' : t(family + '.' + code) || code;
  }

  function levelName(level) {
    return t('level' + level) || '?';
  }

  // Local time everywhere, with its zone, so that a screenshot or a call says when without doubt.
  function timeOf(ms) {
    return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short',
    }).format(new Date(ms));
  }

  function dateTimeOf(ms) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + timeOf(ms);
  }

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
  // Signed in (issue 20): who, as /api/me answers; null with the token, where 'operator' names who acknowledges.
  let me = null;
  operator.value = localStorage.getItem('citybrain.operator') || operator.value;
  operator.addEventListener('change', () => localStorage.setItem('citybrain.operator', operator.value.trim()));

  let districtsLayer = null;
  let communitiesLayer = null;
  let roadsLayer = null;
  const alertsLayer = L.layerGroup({ pane: 'alerts' }).addTo(map);
  let live = { districts: [], segments: {}, alerts: [], pipeline: [], figures: null, problems: [], generatedAt: null };
  const levelByDistrict = new Map();
  const districtNames = new Map();
  const communityNames = new Map();
  let lastStatus = { key: 'connecting', args: [], problem: false };
  let lastAction = null;

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
    document.getElementById('city-name').textContent = ' · ' + name + zh;
  }).catch(() => { /* a console without a package (tests) keeps its plain title */ });

  Promise.all([
    getJson('/api/city/districts.geojson'),
    getJson('/api/city/communities.geojson'),
    getJson('/api/city/roads.geojson'),
  ]).then(([districts, communities, roads]) => {
    for (const f of districts.features) districtNames.set(f.properties.code, f.properties.name);
    showTrendChoices(districts.features);
    for (const f of communities.features) communityNames.set(f.properties.id, f.properties.name);
    districtsLayer = L.geoJSON(districts, {
      style: districtStyle,
      onEachFeature: (f, layer) => {
        layer.bindTooltip(() => textTip(districtTip(f.properties)), { sticky: true });
        layer.on('click', () => chooseTrend(f.properties.code));
      },
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
    if (live.alerts.length) showAlerts(live.alerts);
  }).catch((e) => setStatus('cannotLoadCity', [e.message], true));

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
      text += '\nTTI ' + fmt(d.tti, 2) + ' · ' + levelName(d.level) + ' · ' + fmt(d.mean_speed_kmh, 1) + ' km/h';
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
      if (!isOpen(a) || !(a.lat || a.lon) || !matches(a)) continue;
      const incident = a.kind === 'traffic_incident';
      const colour = a.severity === 'critical' ? '#c62828' : a.severity === 'warning' ? '#ef6c00' : '#1565c0';
      L.circleMarker([a.lat, a.lon], {
        pane: 'alerts', renderer: alertSvg, className: incident ? 'incident-marker' : 'alert-marker', radius: incident ? 6 : 8,
        color: incident ? '#263238' : '#ffffff', weight: 2, dashArray: incident ? '3 2' : null,
        fillColor: colour, fillOpacity: 0.9,
      }).bindTooltip(() => textTip(word('kind', a.kind) + ' · ' + word('severity', a.severity) + ' · ' + word('state', a.state)
        + '\n' + place(a) + '\n' + (a.message || ''))).addTo(alertsLayer);
    }
  }

  // Names where the city model has them; the codes stay in the row's title for whoever needs them.
  function place(a) {
    const district = districtNames.get(a.district) || a.district;
    const community = a.community ? communityNames.get(a.community) || a.community : null;
    return district + (community ? ' / ' + community : '');
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
    setText('fig-communities', String(f.communitiesAlerting));
    setText('fig-meters', f.metersReporting == null ? '–' : String(f.metersReporting));
    setText('fig-dark', f.metersDark == null ? '–' : String(f.metersDark));
    // The store prints microseconds; Date.parse takes milliseconds.
    const windowEnd = document.getElementById('fig-window');
    const end = f.lastWindow ? Date.parse(f.lastWindow.replace(/(\.\d{3})\d*Z$/, '$1Z')) : NaN;
    windowEnd.textContent = Number.isNaN(end) ? '–' : dateTimeOf(end);
    if (Number.isNaN(end)) windowEnd.removeAttribute('datetime'); else windowEnd.setAttribute('datetime', new Date(end).toISOString());
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  const pendingAcks = new Set();
  // What each open alert's note field holds: the list is redrawn at every snapshot.
  const notes = new Map();

  // The alert list's filters (kind, level, state, district, community), remembered by the browser.
  const FILTERS_KEY = 'citybrain.filters';
  const SEVERITIES = ['critical', 'warning', 'info'];
  const STATES = ['raised', 'escalated', 'acknowledged', 'resolved'];
  const filters = Object.assign({ kind: '', severity: '', state: '', district: '', community: '' },
    JSON.parse(localStorage.getItem(FILTERS_KEY) || '{}'));

  function matches(a) {
    return (!filters.kind || a.kind === filters.kind) && (!filters.severity || a.severity === filters.severity)
      && (!filters.state || (filters.state === 'open' ? isOpen(a) : a.state === filters.state))
      && (!filters.district || a.district === filters.district) && (!filters.community || a.community === filters.community);
  }

  // Options are what the alerts hold (and the chosen one, so a choice survives an empty list); each
  // value is a code, each label its words.
  function fillSelect(id, allKey, values, label) {
    const select = document.getElementById(id);
    const name = id.substring(2);
    const chosen = filters[name];
    const all = Array.from(new Set(values.concat(chosen ? [chosen] : []))).filter((v) => v);
    all.sort((x, y) => label(x).localeCompare(label(y)));
    const options = [['', t(allKey)]].concat(name === 'state' ? [['open', t('openOnly')]] : []).concat(all.map((v) => [v, label(v)]));
    // Rebuilt only when they change: a list open under the operator's pointer must not close at every snapshot.
    const signature = JSON.stringify(options);
    if (select.dataset.options === signature) return;
    select.dataset.options = signature;
    select.replaceChildren();
    for (const [value, text] of options) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      select.appendChild(o);
    }
    select.value = chosen;
  }

  function showFilters(alerts) {
    fillSelect('f-kind', 'allKinds', alerts.map((a) => a.kind), (v) => word('kind', v));
    fillSelect('f-severity', 'allSeverities', SEVERITIES, (v) => word('severity', v));
    fillSelect('f-state', 'allStates', STATES, (v) => word('state', v));
    fillSelect('f-district', 'allDistricts', alerts.map((a) => a.district), (v) => districtNames.get(v) || v);
    fillSelect('f-community', 'allCommunities', alerts.map((a) => a.community), (v) => communityNames.get(v) || v);
  }

  for (const name of Object.keys(filters)) {
    document.getElementById('f-' + name).addEventListener('change', (e) => {
      filters[name] = e.target.value;
      localStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
      showAlerts(live.alerts);
      drawAlertMarkers();
    });
  }

  function showAlerts(alerts) {
    const body = document.querySelector('#alerts tbody');
    body.replaceChildren();
    document.getElementById('no-alerts').hidden = alerts.length > 0;
    showFilters(alerts);
    const shown = alerts.filter(matches);
    document.getElementById('shown').textContent = t('shown', shown.length, alerts.length);
    // Open ones first, then the newest; the list stays short enough to read.
    const sorted = shown.sort((a, b) => (isOpen(b) - isOpen(a)) || (b.ts - a.ts));
    for (const a of sorted.slice(0, 100)) {
      const tr = document.createElement('tr');
      tr.className = 'alert-row ' + a.severity + ' ' + a.state;
      tr.dataset.alertId = a.alertId;
      tr.title = (a.message || '') + '\n' + a.district + (a.community ? ' / ' + a.community : '') + ' · ' + a.alertId;
      if (a.note) tr.title += '\n' + t('note') + ': ' + a.note;
      if (a.assignee) tr.title += '\n' + t('assignedTo', a.assignee);
      cell(tr, word('kind', a.kind), 'kind').dataset.kind = a.kind;
      // The level in words and in colour: colour alone is lost on a colour-blind eye or a grey screen.
      const severity = cell(tr, '', 'severity');
      severity.dataset.severity = a.severity;
      const badge = document.createElement('span');
      badge.className = 'badge ' + a.severity;
      badge.textContent = word('severity', a.severity);
      severity.appendChild(badge);
      const byPerson = a.state === 'resolved' && a.action === 'resolved' && a.actor ? t('resolvedBy', a.actor)
        : a.acknowledgedBy && a.state === 'acknowledged' ? t('acknowledgedBy', a.acknowledgedBy) : null;
      cell(tr, byPerson || word('state', a.state), 'state')
        .dataset.state = a.state;
      cell(tr, place(a), 'where');
      cell(tr, timeOf(a.ts), 'time');
      const td = cell(tr, '', 'action');
      if (a.state !== 'resolved') {
        const note = document.createElement('input');
        note.className = 'note';
        note.maxLength = 256;
        note.placeholder = t('note');
        note.setAttribute('aria-label', t('note'));
        note.value = notes.get(a.alertId) || '';
        note.addEventListener('input', () => notes.set(a.alertId, note.value));
        td.appendChild(note);
      }
      if (isOpen(a)) {
        const button = document.createElement('button');
        button.className = 'ack';
        button.textContent = pendingAcks.has(a.alertId) ? t('sent') : t('acknowledge');
        button.disabled = pendingAcks.has(a.alertId);
        button.addEventListener('click', () => act(a.alertId, 'ack', button, 'acknowledge'));
        td.appendChild(button);
      } else {
        pendingAcks.delete(a.alertId);
      }
      if (a.state !== 'resolved') {
        // Closing by hand needs its reason, in the note field: the alert's history keeps it.
        const resolve = document.createElement('button');
        resolve.className = 'resolve';
        resolve.textContent = t('resolve');
        resolve.addEventListener('click', () => act(a.alertId, 'resolve', resolve, 'resolve'));
        td.appendChild(resolve);
      }
      if (a.alertId === selectedAlert) tr.classList.add('selected');
      tr.addEventListener('click', (e) => {
        if (e.target.tagName === 'BUTTON' || e.target.tagName === 'INPUT') return;
        if (a.lat || a.lon) map.setView([a.lat, a.lon], Math.max(map.getZoom(), 14));
        selectedAlert = a.alertId;
        document.querySelectorAll('tr.alert-row.selected').forEach((r) => r.classList.remove('selected'));
        tr.classList.add('selected');
        fetchHistory();
      });
      body.appendChild(tr);
    }
  }

  // The alert whose history is shown (GET /api/alerts/<id>: every record city.alerts carried for it).
  let selectedAlert = null;
  let historyRecords = [];

  function fetchHistory() {
    if (!selectedAlert) return;
    const id = selectedAlert;
    getJson('/api/alerts/' + encodeURIComponent(id)).then((answer) => {
      if (id !== selectedAlert) return;
      historyRecords = answer.history;
      drawHistory();
    }).catch((e) => setStatus('noAnswer', [e.message], true));
  }

  function drawHistory() {
    const section = document.getElementById('history');
    section.hidden = !selectedAlert;
    if (!selectedAlert) return;
    document.getElementById('history-alert').textContent = selectedAlert;
    const list = document.getElementById('history-list');
    list.replaceChildren();
    for (const r of historyRecords) {
      const li = document.createElement('li');
      li.className = 'history-record';
      li.dataset.action = r.action || '';
      const who = r.action ? t('action.' + r.action, r.actor, r.assignee) : t('action.none');
      // Text only: a note is whatever a person typed.
      li.textContent = dateTimeOf(r.ts) + ' · ' + word('state', r.state) + ' · ' + who + (r.note ? ': ' + r.note : '');
      list.appendChild(li);
    }
  }

  function historyAction(verb, body, field) {
    if (!selectedAlert) return;
    const id = selectedAlert;
    fetch('/api/alerts/' + encodeURIComponent(id) + '/' + verb, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Citybrain-Token': token },
      body: JSON.stringify(Object.assign({ by: me ? me.username : (operator.value.trim() || 'operator') }, body)),
    }).then((r) => {
      if (r.status !== 202) return r.json().then((e) => { throw new Error(e.error || 'HTTP ' + r.status); });
      field.value = '';
      setActionStatus('published', [], false);
      setTimeout(fetchHistory, 1500);
      setTimeout(fetchHistory, 5000);
    }).catch((e) => setActionStatus('ackFailed', [id, e.message], true));
  }

  document.getElementById('comment').addEventListener('click', () => {
    const text = document.getElementById('comment-text');
    if (text.value.trim()) historyAction('comment', { note: text.value.trim() }, text);
  });
  document.getElementById('assign').addEventListener('click', () => {
    const name = document.getElementById('assignee');
    if (name.value.trim()) historyAction('assign', { assignee: name.value.trim() }, name);
  });

  // verb: ack (contract v1's acknowledgement) or resolve, which needs the note as its reason.
  function act(alertId, verb, button, label) {
    const by = me ? me.username : (operator.value.trim() || 'operator');
    const note = (notes.get(alertId) || '').trim();
    if (verb === 'resolve' && !note) {
      setActionStatus('reasonNeeded', [alertId], true);
      return;
    }
    button.disabled = true;
    button.textContent = t('sent');
    if (verb === 'ack') pendingAcks.add(alertId);
    fetch('/api/alerts/' + encodeURIComponent(alertId) + '/' + verb, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Citybrain-Token': token },
      body: JSON.stringify(note ? { by: by, note: note } : { by: by }),
    }).then((r) => {
      if (r.status === 401) {
        showSignIn();
        throw new Error(t('signInFirst'));
      }
      if (r.status === 403 && !me) {
        return r.text().then((text) => { throw new Error(text || 'HTTP 403'); });
      }
      if (r.status !== 202) {
        return r.json().then((e) => { throw new Error(e.error || 'HTTP ' + r.status); });
      }
      notes.delete(alertId);
      setActionStatus(verb === 'ack' ? 'ackPublished' : 'resolvePublished', [alertId], false);
    }).catch((e) => {
      pendingAcks.delete(alertId);
      button.disabled = false;
      button.textContent = t(label);
      setActionStatus('ackFailed', [alertId, e.message], true);
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
      const at = p.timestamp ? Date.parse(String(p.timestamp).replace(/(\.\d{3})\d*Z$/, '$1Z')) : NaN;
      cell(tr, Number.isNaN(at) ? '–' : timeOf(at));
      body.appendChild(tr);
    }
  }

  // A district's TTI and mean speed over the last hour (uPlot), chosen in the list or on the map,
  // remembered, and fetched again every 10 s.
  const TREND_KEY = 'citybrain.trend';
  const TREND_MS = 10000;
  let trendDistrict = localStorage.getItem(TREND_KEY) || '';
  let trendChart = null;
  let trendPoints = [];

  function showTrendChoices(features) {
    const select = document.getElementById('trend-district');
    const sorted = features.map((f) => f.properties).sort((a, b) => a.name.localeCompare(b.name));
    select.replaceChildren();
    for (const p of sorted) {
      const o = document.createElement('option');
      o.value = p.code;
      o.textContent = p.name;
      select.appendChild(o);
    }
    if (!districtNames.has(trendDistrict)) trendDistrict = sorted.length ? sorted[0].code : '';
    select.value = trendDistrict;
    select.addEventListener('change', () => chooseTrend(select.value));
    fetchTrend();
  }

  function chooseTrend(code) {
    trendDistrict = code;
    localStorage.setItem(TREND_KEY, code);
    document.getElementById('trend-district').value = code;
    fetchTrend();
  }

  function fetchTrend() {
    if (!trendDistrict) return;
    const asked = trendDistrict;
    getJson('/api/trend?district=' + encodeURIComponent(asked)).then((trend) => {
      if (asked !== trendDistrict) return;
      trendPoints = trend.points;
      drawTrend();
    }).catch(() => { /* the status line reports the store; the chart keeps what it had */ });
  }

  function drawTrend() {
    const box = document.getElementById('trend');
    const xs = [];
    const ttis = [];
    const speeds = [];
    for (const p of trendPoints) {
      const at = Date.parse(String(p.timestamp).replace(/(\.\d{3})\d*Z$/, '$1Z'));
      if (Number.isNaN(at)) continue;
      xs.push(at / 1000);
      ttis.push(p.tti);
      speeds.push(p.mean_speed_kmh);
    }
    box.dataset.points = String(xs.length);
    box.dataset.district = trendDistrict;
    document.getElementById('no-trend').hidden = xs.length > 0;
    if (trendChart) trendChart.destroy();
    trendChart = null;
    if (!xs.length || typeof uPlot === 'undefined') return;
    trendChart = new uPlot({
      width: Math.max(280, box.clientWidth || 480), height: 160,
      // Local time on the axis: uPlot formats in the browser's zone, which the header names.
      series: [
        {},
        { label: t('tti'), stroke: '#c62828', width: 2, scale: 'tti', value: (u, v) => (v == null ? '–' : v.toFixed(2)) },
        { label: t('meanSpeed'), stroke: '#1565c0', width: 1.5, scale: 'kmh', value: (u, v) => (v == null ? '–' : v.toFixed(1)) },
      ],
      // The x axis is the last hour, whatever the points: one window must not stretch it to years.
      scales: { x: { time: true, range: () => { const now = Date.now() / 1000; return [now - 3600, now]; } } },
      axes: [{}, { scale: 'tti' }, { scale: 'kmh', side: 1, grid: { show: false } }],
    }, [xs, ttis, speeds], box);
  }

  setInterval(fetchTrend, TREND_MS);

  // Both lines keep their words' key, so that a change of language rewrites them too. The header's
  // line says how the feed is; the action line what became of the operator's last action (a hint
  // such as "write the reason first" must not vanish with the next live update).
  function setStatus(key, args, problem) {
    lastStatus = { key: key, args: args, problem: problem };
    showLine('status', lastStatus);
  }

  function setActionStatus(key, args, problem) {
    lastAction = { key: key, args: args, problem: problem };
    showLine('action-status', lastAction);
  }

  function showLine(id, line) {
    const s = document.getElementById(id);
    s.textContent = line ? t.apply(null, [line.key].concat(line.args)) : '';
    s.classList.toggle('problem', !!(line && line.problem));
  }

  // New alerts are read out (critical ones at once) and, if asked for, a critical one rings; the
  // alerts present when the page opens are not news.
  let seen = null;
  function announce(alerts) {
    const first = seen == null;
    if (first) seen = new Set();
    for (const a of alerts) {
      if (seen.has(a.alertId)) continue;
      seen.add(a.alertId);
      if (first || !isOpen(a)) continue;
      const text = t('newAlert', word('severity', a.severity), word('kind', a.kind), place(a));
      const critical = a.severity === 'critical';
      document.getElementById(critical ? 'announce-critical' : 'announce').textContent = text;
      if (critical && soundBox.checked) ring();
    }
  }

  let audio = null;
  function ring() {
    try {
      audio = audio || new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.8);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.8);
    } catch (e) { /* no audio here: the announcement stays */ }
  }

  const soundBox = document.getElementById('sound');
  soundBox.checked = localStorage.getItem(SOUND_KEY) === 'on';
  soundBox.addEventListener('change', () => {
    localStorage.setItem(SOUND_KEY, soundBox.checked ? 'on' : 'off');
    if (soundBox.checked) ring(); // the click lets the browser play, and the operator hears what it will be
  });

  function applyLanguage() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.documentElement.dataset.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    const button = document.getElementById('lang');
    button.textContent = t('switchTo');
    button.lang = lang === 'zh' ? 'en' : 'zh-CN';
    document.getElementById('zone').textContent = t('timesIn', ZONE);
    setStatus(lastStatus.key, lastStatus.args, lastStatus.problem);
    showLine('action-status', lastAction);
    if (live.figures) showFigures(live.figures);
    showAlerts(live.alerts);
    showPipeline(live.pipeline);
    if (trendPoints.length) drawTrend();
    if (me) showMe(me);
    drawHistory();
  }

  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, lang);
    applyLanguage();
  });
  applyLanguage();

  const signInForm = document.getElementById('sign-in');

  function showSignIn() {
    signInForm.hidden = false;
    document.getElementById('operator-box').hidden = true;
    document.getElementById('who').hidden = true;
    document.getElementById('username').focus();
  }

  function showMe(person) {
    me = person && person.mode === 'login' ? person : null;
    document.getElementById('operator-box').hidden = !!me;
    document.getElementById('who').hidden = !me;
    if (me) {
      signInForm.hidden = true;
      document.getElementById('who-name').textContent = t('signedInAs', me.username, word('role', me.role)
        + (me.scope ? ' · ' + (communityNames.get(me.scope) || districtNames.get(me.scope) || me.scope) : ''));
    }
  }

  signInForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const problem = document.getElementById('sign-in-problem');
    problem.textContent = '';
    fetch('/api/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: document.getElementById('username').value, password: document.getElementById('password').value }),
    }).then((r) => r.json().then((body) => {
      document.getElementById('password').value = '';
      if (!r.ok) throw new Error(body.error || 'HTTP ' + r.status);
      showMe(body);
      session++;
      listen();
    })).catch((err) => { problem.textContent = t('signInFailed', err.message); });
  });

  // Bumped at sign-out: a snapshot of a stream opened before it is someone else's view, and is dropped.
  let session = 0;
  document.getElementById('sign-out').addEventListener('click', () => {
    session++;
    if (stream) stream.close();
    fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' } }).finally(() => {
      session++;
      me = null;
      selectedAlert = null;
      drawHistory();
      live.alerts = [];
      showAlerts([]);
      showSignIn();
    });
  });

  function show(snapshot) {
    live = snapshot;
    if (selectedAlert) fetchHistory();
    showFigures(snapshot.figures);
    showAlerts(snapshot.alerts);
    showPipeline(snapshot.pipeline);
    restyle();
    announce(snapshot.alerts);
    if (snapshot.problems.length) {
      setStatus('updated', [timeOf(snapshot.generatedAt), snapshot.problems.join('; ')], true);
    } else {
      setStatus('live', [timeOf(snapshot.generatedAt)], false);
    }
  }

  // The live updates: server-sent events from /api/live/stream, one stream per session. The browser
  // reconnects by itself after a network error; a refused stream (401, a restart's 503) is closed
  // for good, so the page asks who it is and opens a new one, or shows the sign-in.
  let stream = null;
  let retry = null;
  function listen() {
    if (stream) stream.close();
    clearTimeout(retry);
    const asked = session;
    stream = new EventSource('/api/live/stream');
    stream.addEventListener('snapshot', (e) => { if (asked === session) show(JSON.parse(e.data)); });
    stream.addEventListener('signed-out', () => {
      stream.close();
      me = null;
      showSignIn();
      setStatus('noAnswer', [t('signInFirst')], true);
    });
    stream.addEventListener('busy', (e) => setStatus('noAnswer', [JSON.parse(e.data).error], true));
    stream.onerror = () => {
      if (asked !== session) return;
      if (stream.readyState !== EventSource.CLOSED) {
        setStatus('noAnswer', ['/api/live/stream'], true);
        return;
      }
      fetch('/api/me', { cache: 'no-store' }).then((r) => {
        if (asked !== session) return;
        if (r.status === 401) {
          showSignIn();
          setStatus('noAnswer', [t('signInFirst')], true);
          return;
        }
        setStatus('noAnswer', ['/api/live/stream: HTTP ' + r.status], true);
        retry = setTimeout(listen, RETRY_MS);
      }).catch((e) => {
        if (asked !== session) return;
        setStatus('noAnswer', [e.message], true);
        retry = setTimeout(listen, RETRY_MS);
      });
    };
  }

  getJson('/api/me').then(showMe).catch(() => showSignIn()).finally(() => listen());
})();
