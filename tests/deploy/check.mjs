// Static checks of the deployment files, runnable without a Docker engine or a Kubernetes cluster:
//   - every YAML file under docker/ parses (all documents, no duplicate keys);
//   - docker/*.Dockerfile: COPY/ADD sources exist relative to the build context (the repository root)
//     and are not excluded by .dockerignore, --from names an earlier stage, the pushd image runs as a
//     non-root user with EXPOSE 8081, STOPSIGNAL SIGTERM and a HEALTHCHECK on /healthz, the PostgreSQL
//     image's final stage is a clean postgres:15 with an init script that creates the extension;
//   - docker/compose.yaml: build contexts and Dockerfiles exist, bind-mounted files exist (and the files a
//     service's script reads through a mount), depends_on targets exist and have a healthcheck when
//     waited on as healthy, pushd publishes 8081 and reaches PostgreSQL by its service name;
//   - docker/k8s/*.yaml: apiVersion, kind, metadata.name; the Deployment's selector matches its template
//     labels, replicas 3, readiness /readyz and liveness /healthz on the container port, resources,
//     DATABASE_URL from a Secret, PUSHD_TRUSTED_PROXIES a comma list of CIDRs, a grace period covering
//     preStop + pushd's shutdown timeout; the Service,
//     PodDisruptionBudget (minAvailable 2) and Ingress select / reference what exists.
// Usage: node check.mjs [--root DIR] [--self-test]
// --self-test also breaks the files in memory, one way at a time, and fails unless each break is caught.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));

// The repository as the checks see it: files on disk, with in-memory replacements for the self-test.
function makeRepo(root, overrides = new Map()) {
  const abs = (rel) => path.join(root, rel);
  return {
    root,
    read(rel) {
      if (overrides.has(rel)) return overrides.get(rel);
      try { return fs.readFileSync(abs(rel), 'utf8'); } catch { return null; }
    },
    exists(rel) {
      if (overrides.has(rel)) return overrides.get(rel) !== null;
      return fs.existsSync(abs(rel));
    },
    isDir(rel) {
      try { return fs.statSync(abs(rel)).isDirectory(); } catch { return false; }
    },
    // Files under a folder (relative paths), skipping node_modules and .git.
    walk(rel) {
      const out = [];
      const visit = (d) => {
        let entries = [];
        try { entries = fs.readdirSync(abs(d), { withFileTypes: true }); } catch { return; }
        for (const e of entries) {
          if (e.name === 'node_modules' || e.name === '.git') continue;
          const p = d ? `${d}/${e.name}` : e.name;
          if (e.isDirectory()) visit(p); else out.push(p);
        }
      };
      visit(rel);
      return out.sort();
    },
    // Source files under a folder as git sees them (tracked or untracked, not git-ignored); null without git.
    sourceFiles(rel) {
      try {
        const out = execFileSync('git', ['-C', root, 'ls-files', '--cached', '--others', '--exclude-standard', '--', rel],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        return out.split('\n').filter(Boolean).filter((f) => fs.existsSync(abs(f)));
      } catch { return null; }
    },
  };
}

// ---------- .dockerignore (Docker's rules: last matching pattern wins, a matching parent excludes) ----------

function globToRegex(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function dockerignore(text) {
  const rules = [];
  for (let line of (text || '').split('\n')) {
    line = line.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    rules.push({ negate, re: globToRegex(line), text: line });
  }
  // Returns the pattern excluding rel from the build context, or null when it is sent.
  return (rel) => {
    const parts = rel.replace(/\/+$/, '').split('/');
    let excludedBy = null;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          excludedBy = rule.negate ? null : rule.text;
          break;
        }
      }
    }
    return excludedBy;
  };
}

// ---------- Dockerfile parsing ----------

// Returns [{line, cmd, args (raw string), json (array or null)}], continuations joined, comments dropped.
function parseDockerfile(text) {
  const out = [];
  const lines = text.split('\n');
  let buf = '', start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const t = raw.trim();
    if (t.startsWith('#') || (!t && !buf)) continue; // comments, also inside continuations
    if (!buf) start = i + 1;
    if (/\\\s*$/.test(raw)) { buf += raw.replace(/\\\s*$/, ' '); continue; }
    buf += raw;
    const m = buf.trim().match(/^(\S+)\s*(.*)$/s);
    if (m) {
      let json = null;
      if (m[2].trim().startsWith('[')) { try { json = JSON.parse(m[2].trim()); } catch { json = null; } }
      out.push({ line: start, cmd: m[1].toUpperCase(), args: m[2].trim(), json });
    }
    buf = '';
  }
  return out;
}

// Splits "--flag=v --flag2 a b c" into {flags, words} (no quoting beyond JSON form).
function splitFlags(ins) {
  const words = ins.json && Array.isArray(ins.json) ? [...ins.json] : ins.args.split(/\s+/).filter(Boolean);
  const flags = {};
  while (words.length && words[0].startsWith('--')) {
    const [k, v] = words.shift().slice(2).split('=');
    flags[k] = v ?? true;
  }
  return { flags, words };
}

function stages(instructions) {
  const list = [];
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const { words } = splitFlags(ins);
      const asIdx = words.findIndex((w) => w.toLowerCase() === 'as');
      list.push({ image: words[0], name: asIdx >= 0 ? words[asIdx + 1] : null, line: ins.line, ins: [] });
    } else if (list.length) list[list.length - 1].ins.push(ins);
  }
  return list;
}

function hasGlob(s) { return /[*?[]/.test(s); }

// ---------- the checks ----------

function check(repo) {
  const errors = [];
  const fail = (where, msg) => errors.push(`${where}: ${msg}`);
  const ignoredBy = dockerignore(repo.read('.dockerignore'));

  // YAML: every file under docker/
  const yamlDocs = new Map(); // rel -> [objects]
  for (const rel of repo.walk('docker').filter((f) => /\.ya?ml$/.test(f))) {
    const text = repo.read(rel);
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const bad = list.flatMap((d) => d.errors);
    if (bad.length) { fail(rel, `YAML does not parse: ${bad[0].message.split('\n')[0]}`); continue; }
    yamlDocs.set(rel, list.map((d) => d.toJS()).filter((o) => o !== null && o !== undefined));
  }
  if (!yamlDocs.size) fail('docker/', 'no YAML files found');

  // Dockerfiles (build context: the repository root)
  const dockerfiles = new Map(); // rel -> {stages}
  const dfList = repo.walk('docker').filter((f) => /(^|\/)[^/]*\.?Dockerfile$/.test(f));
  for (const rel of dfList) {
    const text = repo.read(rel);
    const ins = parseDockerfile(text);
    const st = stages(ins);
    dockerfiles.set(rel, { stages: st, ins });
    if (!st.length) { fail(rel, 'no FROM'); continue; }
    const names = new Set();
    for (const [i, stage] of st.entries()) {
      for (const x of stage.ins) {
        if (x.cmd !== 'COPY' && x.cmd !== 'ADD') continue;
        const { flags, words } = splitFlags(x);
        if (words.length < 2) { fail(`${rel}:${x.line}`, `${x.cmd} needs a source and a destination`); continue; }
        const sources = words.slice(0, -1);
        if (flags.from) {
          const from = flags.from;
          const known = names.has(from) || /^\d+$/.test(from) && Number(from) < i;
          const external = /[:/]/.test(from);
          if (!known && !external) fail(`${rel}:${x.line}`, `COPY --from=${from} names no earlier stage`);
          continue;
        }
        for (const src of sources) {
          if (/^https?:\/\//.test(src)) continue;
          const clean = path.posix.normalize(src).replace(/^\.\/?/, '').replace(/\/+$/, '');
          if (clean.startsWith('..')) { fail(`${rel}:${x.line}`, `${src} lies outside the build context`); continue; }
          if (hasGlob(clean)) {
            const re = globToRegex(clean);
            const dir = clean.split('/').filter((p) => !hasGlob(p)).slice(0, clean.split('/').findIndex(hasGlob)).join('/');
            if (!repo.walk(dir).some((f) => re.test(f))) fail(`${rel}:${x.line}`, `${src} matches no file in the repository`);
            continue;
          }
          if (!repo.exists(clean)) { fail(`${rel}:${x.line}`, `COPY source ${src} does not exist in the repository`); continue; }
          const why = ignoredBy(clean);
          if (why) { fail(`${rel}:${x.line}`, `COPY source ${src} is excluded from the build context by .dockerignore (${why})`); continue; }
          if (repo.isDir(clean)) {
            const files = repo.sourceFiles(clean) ?? repo.walk(clean);
            const dropped = files.filter((f) => ignoredBy(f));
            if (dropped.length) fail(`${rel}:${x.line}`, `.dockerignore drops source files under ${src}: ${dropped.slice(0, 5).join(', ')}`);
            if (!files.some((f) => !ignoredBy(f))) fail(`${rel}:${x.line}`, `${src} sends no file to the build`);
          }
        }
      }
      if (stage.name) names.add(stage.name);
    }
  }

  // the pushd image
  const pushdDf = dockerfiles.get('docker/pushd.Dockerfile');
  let imageUser = null, exposed = null;
  if (!pushdDf) fail('docker/pushd.Dockerfile', 'missing');
  else {
    const rel = 'docker/pushd.Dockerfile';
    const final = pushdDf.stages[pushdDf.stages.length - 1];
    const last = (cmd) => final.ins.filter((x) => x.cmd === cmd).pop();
    if (!/^debian:12-slim$|^debian:bookworm-slim$/.test(final.image)) fail(rel, `runtime stage is ${final.image}, expected debian:12-slim`);
    if (pushdDf.stages.length < 2) fail(rel, 'expected a multi-stage build');
    const user = last('USER');
    imageUser = user ? user.args.split(':')[0] : null;
    if (!user || ['root', '0'].includes(imageUser)) fail(rel, 'the runtime stage must switch to a non-root USER');
    const expose = last('EXPOSE');
    exposed = expose ? Number(expose.args.split(/[\s/]/)[0]) : null;
    if (exposed !== 8081) fail(rel, 'EXPOSE 8081 missing');
    const stop = last('STOPSIGNAL');
    if (!stop || !/^(SIGTERM|15)$/.test(stop.args)) fail(rel, 'STOPSIGNAL SIGTERM missing');
    const hc = last('HEALTHCHECK');
    if (!hc) fail(rel, 'HEALTHCHECK missing');
    else {
      const cmdPart = hc.args.replace(/^.*?\bCMD\b\s*/s, '');
      let argv = null;
      try { argv = JSON.parse(cmdPart); } catch { argv = null; }
      let probe = cmdPart;
      if (Array.isArray(argv) && argv[0].startsWith('/')) {
        // an executable COPYed into the image: check its source too
        const copy = final.ins.find((x) => x.cmd === 'COPY' && !splitFlags(x).flags.from && splitFlags(x).words.slice(-1)[0] === argv[0]);
        const sys = /^\/(usr\/)?s?bin\//.test(argv[0]) && !copy;
        if (!copy && !sys) fail(rel, `HEALTHCHECK runs ${argv[0]}, which no COPY puts in the image`);
        if (copy) probe += '\n' + (repo.read(splitFlags(copy).words[0]) || '');
      }
      if (!/\/healthz\b/.test(probe)) fail(rel, 'HEALTHCHECK does not probe /healthz');
    }
    const used = new Set(final.ins.filter((x) => x.cmd === 'COPY').map((x) => splitFlags(x).flags.from).filter(Boolean));
    for (const s of pushdDf.stages.slice(0, -1)) if (s.name && !used.has(s.name)) fail(rel, `stage ${s.name} is built but never used`);
    if (!final.ins.some((x) => x.cmd === 'RUN' && /libwebsockets17/.test(x.args) && /libpq5/.test(x.args) && /libjansson4/.test(x.args))) {
      fail(rel, 'the runtime stage must install libwebsockets17, libpq5 and libjansson4');
    }
    if (final.ins.some((x) => x.cmd === 'RUN' && /-dev\b|build-essential/.test(x.args))) fail(rel, 'the runtime stage installs build packages');
  }

  // the PostgreSQL image
  const pgDf = dockerfiles.get('docker/postgres.Dockerfile');
  if (!pgDf) fail('docker/postgres.Dockerfile', 'missing');
  else {
    const rel = 'docker/postgres.Dockerfile';
    const args = Object.fromEntries(pgDf.ins.filter((x) => x.cmd === 'ARG').map((x) => x.args.split('=')));
    const image = (s) => s.image.replace(/^\$\{?(\w+)\}?$/, (m, v) => args[v] || m);
    const final = pgDf.stages[pgDf.stages.length - 1];
    if (pgDf.stages.length < 2) fail(rel, 'expected a multi-stage build');
    if (!/^postgres:15(\b|-)/.test(image(final))) fail(rel, `final stage is ${image(final)}, expected postgres:15`);
    if (!/^postgres:15(\b|-)/.test(image(pgDf.stages[0]))) fail(rel, 'the build stage must build against the postgres:15 image');
    if (!pgDf.stages[0].ins.some((x) => x.cmd === 'RUN' && /postgresql-server-dev/.test(x.args))) fail(rel, 'the build stage must install postgresql-server-dev-15');
    if (final.ins.some((x) => x.cmd === 'RUN')) fail(rel, 'the final stage must only copy artefacts (it runs commands)');
    const init = final.ins.find((x) => x.cmd === 'COPY' && /^\/docker-entrypoint-initdb\.d\//.test(splitFlags(x).words.slice(-1)[0]));
    if (!init) fail(rel, 'no init script copied into /docker-entrypoint-initdb.d/');
    else {
      const script = repo.read(splitFlags(init).words[0]) || '';
      if (!/CREATE EXTENSION (IF NOT EXISTS )?variant_dashboard/.test(script)) fail(rel, 'the init script does not CREATE EXTENSION variant_dashboard');
      if (!/roles\.sql/.test(script)) fail(rel, 'the init script does not run scripts/roles.sql');
      const rolesDest = final.ins.find((x) => x.cmd === 'COPY' && splitFlags(x).words[0] === 'scripts/roles.sql');
      if (!rolesDest || !script.includes(splitFlags(rolesDest).words.slice(-1)[0])) fail(rel, 'the init script reads roles.sql from where no COPY puts it');
    }
  }

  // compose
  const composeRel = 'docker/compose.yaml';
  const compose = yamlDocs.get(composeRel)?.[0];
  const builtImages = new Map();
  if (!compose) fail(composeRel, 'missing or empty');
  else {
    const dir = path.posix.dirname(composeRel);
    const services = compose.services || {};
    for (const need of ['postgres', 'pushd', 'simulator']) if (!services[need]) fail(composeRel, `service ${need} missing`);
    const namedVolumes = new Set(Object.keys(compose.volumes || {}));
    for (const [name, svc] of Object.entries(services)) {
      const where = `${composeRel} services.${name}`;
      if (!svc.image && !svc.build) fail(where, 'needs an image or a build');
      if (svc.build) {
        const b = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
        const ctx = path.posix.normalize(path.posix.join(dir, b.context || '.'));
        if (!repo.isDir(ctx === '.' ? '' : ctx) && ctx !== '.') fail(where, `build context ${b.context} does not exist`);
        const df = path.posix.normalize(path.posix.join(ctx, b.dockerfile || 'Dockerfile'));
        if (!repo.exists(df)) fail(where, `Dockerfile ${df} does not exist`);
        else if (ctx !== '.' ) fail(where, `build context ${ctx}: the Dockerfiles' COPY sources are checked against the repository root`);
        else if (!dockerfiles.has(df)) fail(where, `Dockerfile ${df} is not one of the checked docker/*.Dockerfile`);
        if (svc.image) builtImages.set(svc.image, df);
      }
      const mounts = [];
      for (const v of svc.volumes || []) {
        const m = typeof v === 'string' ? (() => { const [source, target] = v.split(':'); return { source, target, type: /^[./~]/.test(source) ? 'bind' : 'volume' }; })() : v;
        if (m.type === 'bind') {
          const src = path.posix.normalize(path.posix.join(dir, m.source));
          if (!repo.exists(src)) fail(where, `bind mount source ${m.source} (${src}) does not exist`);
          mounts.push({ src, target: m.target.replace(/\/+$/, '') });
        } else if (m.type === 'volume' && m.source && !namedVolumes.has(m.source)) fail(where, `volume ${m.source} is not declared`);
      }
      // Files a mounted script reads through another mount (e.g. /demo/simulator.sql) must exist too.
      const texts = [JSON.stringify(svc.entrypoint || ''), JSON.stringify(svc.command || '')];
      for (const m of mounts) if (!repo.isDir(m.src)) texts.push(repo.read(m.src) || '');
      for (const m of mounts) {
        if (!repo.isDir(m.src)) continue;
        const re = new RegExp(`${m.target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([\\w.-]+)`, 'g');
        for (const t of texts) for (const hit of t.matchAll(re)) {
          if (!repo.exists(`${m.src}/${hit[1]}`)) fail(where, `${m.target}/${hit[1]} is read but ${m.src}/${hit[1]} does not exist`);
        }
      }
      const ep = Array.isArray(svc.entrypoint) ? svc.entrypoint[0] : null;
      if (ep && ep.startsWith('/') && !mounts.some((m) => m.target === ep || ep.startsWith(m.target + '/')) && !svc.build) {
        fail(where, `entrypoint ${ep} comes from no mount`);
      }
      const deps = Array.isArray(svc.depends_on) ? Object.fromEntries(svc.depends_on.map((d) => [d, {}])) : svc.depends_on || {};
      for (const [dep, spec] of Object.entries(deps)) {
        if (!services[dep]) { fail(where, `depends_on ${dep}: no such service`); continue; }
        if (spec?.condition === 'service_healthy') {
          const target = services[dep];
          const dfRel = target.build ? path.posix.normalize(path.posix.join(dir, target.build.context || '.', target.build.dockerfile || 'Dockerfile')) : null;
          const imageHc = dfRel && dockerfiles.get(dfRel)?.ins.some((x) => x.cmd === 'HEALTHCHECK');
          if (!target.healthcheck && !imageHc) fail(where, `waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
        }
      }
      if (svc.healthcheck && !['CMD', 'CMD-SHELL', 'NONE'].includes([].concat(svc.healthcheck.test)[0]) && typeof svc.healthcheck.test !== 'string') {
        fail(where, 'healthcheck.test must start with CMD, CMD-SHELL or NONE');
      }
    }
    const pushd = services.pushd;
    if (pushd) {
      const ports = (pushd.ports || []).map(String);
      if (!ports.some((p) => /(^|:)8081:8081$/.test(p) || p === '8081')) fail(`${composeRel} services.pushd`, 'does not publish port 8081');
      const env = Array.isArray(pushd.environment) ? Object.fromEntries(pushd.environment.map((e) => e.split('='))) : pushd.environment || {};
      const url = env.DATABASE_URL || '';
      const host = (url.match(/@([^:/?]+)/) || url.match(/host=([^\s]+)/) || [])[1];
      if (!host || !services[host]) fail(`${composeRel} services.pushd`, `DATABASE_URL must name the PostgreSQL service as its host (got ${host || 'none'})`);
      if (!deps(pushd).postgres || deps(pushd).postgres.condition !== 'service_healthy') fail(`${composeRel} services.pushd`, 'must wait for postgres to be healthy');
    }
    const sim = services.simulator;
    if (sim) {
      const all = [JSON.stringify(sim)].concat((sim.volumes || []).map((v) => {
        const src = typeof v === 'string' ? v.split(':')[0] : v.source;
        const p = path.posix.normalize(path.posix.join(dir, src));
        return repo.isDir(p) ? '' : repo.read(p) || '';
      })).join('\n');
      for (const need of ['simulator.sql', 'content.sql', 'CALL demo.simulate']) if (!all.includes(need)) fail(`${composeRel} services.simulator`, `never runs ${need}`);
    }
  }
  function deps(svc) { return Array.isArray(svc.depends_on) ? Object.fromEntries(svc.depends_on.map((d) => [d, {}])) : svc.depends_on || {}; }

  // Kubernetes
  const apiVersions = {
    Deployment: ['apps/v1'], Service: ['v1'], PodDisruptionBudget: ['policy/v1'], Secret: ['v1'],
    Ingress: ['networking.k8s.io/v1'], Kustomization: ['kustomize.config.k8s.io/v1beta1'],
  };
  const objects = [];
  for (const [rel, docs] of yamlDocs) {
    if (!rel.startsWith('docker/k8s/')) continue;
    for (const o of docs) {
      const where = `${rel} ${o?.kind || '?'}/${o?.metadata?.name || '?'}`;
      if (typeof o !== 'object') { fail(rel, 'a document is not a mapping'); continue; }
      if (!o.apiVersion) fail(where, 'apiVersion missing');
      if (!o.kind) fail(where, 'kind missing');
      if (o.kind !== 'Kustomization' && !o.metadata?.name) fail(where, 'metadata.name missing');
      if (o.kind && !apiVersions[o.kind]) fail(where, `unexpected kind ${o.kind}`);
      else if (o.kind && !apiVersions[o.kind].includes(o.apiVersion)) fail(where, `apiVersion ${o.apiVersion} for ${o.kind}, expected ${apiVersions[o.kind].join(' or ')}`);
      objects.push({ rel, where, o });
    }
  }
  const byKind = (k) => objects.filter((x) => x.o.kind === k);
  const matches = (selector, labels) => selector && Object.keys(selector).length > 0
    && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
  const deployments = byKind('Deployment');
  const pushdDep = deployments.find((d) => d.o.metadata?.name === 'pushd');
  if (!pushdDep) fail('docker/k8s/', 'no Deployment named pushd');
  let podLabels = null, container = null, portByName = new Map();
  if (pushdDep) {
    const { o, where } = pushdDep;
    const spec = o.spec || {};
    podLabels = spec.template?.metadata?.labels;
    if (spec.replicas !== 3) fail(where, `replicas is ${spec.replicas}, expected 3`);
    if (!matches(spec.selector?.matchLabels, podLabels)) fail(where, 'spec.selector.matchLabels does not match spec.template.metadata.labels');
    const containers = spec.template?.spec?.containers || [];
    container = containers.find((c) => c.name === 'pushd') || containers[0];
    if (!container) fail(where, 'no container');
    else {
      if (!container.image) fail(where, 'container image missing');
      for (const p of container.ports || []) if (p.name) portByName.set(p.name, p.containerPort);
      const env = Object.fromEntries((container.env || []).map((e) => [e.name, e]));
      const listenPort = Number(env.PUSHD_PORT?.value || 8081);
      if (!(container.ports || []).some((p) => p.containerPort === listenPort)) fail(where, `no containerPort ${listenPort} (pushd's port)`);
      if (exposed !== null && listenPort !== exposed) fail(where, `pushd listens on ${listenPort}, the image EXPOSEs ${exposed}`);
      const resolve = (port) => (typeof port === 'string' ? portByName.get(port) : port);
      for (const [probe, want] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']]) {
        const h = container[probe]?.httpGet;
        if (!h) { fail(where, `${probe}.httpGet missing`); continue; }
        if (h.path !== want) fail(where, `${probe} probes ${h.path}, expected ${want}`);
        if (resolve(h.port) !== listenPort) fail(where, `${probe} port ${h.port} is not the container port ${listenPort}`);
      }
      const r = container.resources || {};
      for (const k of ['requests', 'limits']) for (const res of ['cpu', 'memory']) if (!r[k]?.[res]) fail(where, `resources.${k}.${res} missing`);
      const ref = env.DATABASE_URL?.valueFrom?.secretKeyRef;
      if (!ref) fail(where, 'DATABASE_URL must come from a Secret (valueFrom.secretKeyRef)');
      else {
        const secret = byKind('Secret').find((s) => s.o.metadata?.name === ref.name);
        if (!secret) fail(where, `Secret ${ref.name} has no example in docker/k8s/`);
        else if (!(ref.key in (secret.o.stringData || {})) && !(ref.key in (secret.o.data || {}))) fail(where, `Secret ${ref.name} has no key ${ref.key}`);
      }
      const trusted = env.PUSHD_TRUSTED_PROXIES?.value;
      if (trusted === undefined) fail(where, 'PUSHD_TRUSTED_PROXIES missing: behind the ingress all clients would share its per-IP limits');
      for (const cidr of (trusted || '').split(',').map((c) => c.trim()).filter(Boolean)) {
        const [addr, bits, extra] = cidr.split('/');
        const family = net.isIP(addr);
        const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
        if (!family || extra !== undefined || !bitsOk) fail(where, `PUSHD_TRUSTED_PROXIES: '${cidr}' is not a CIDR`);
      }
      const pre = container.lifecycle?.preStop;
      const sleepS = pre?.sleep?.seconds ?? (pre?.exec?.command?.[0] === 'sleep' ? Number(pre.exec.command[1]) : null);
      if (!sleepS) fail(where, 'a preStop sleep is needed so the Service stops routing before SIGTERM');
      const shutdownMs = Number(env.PUSHD_SHUTDOWN_TIMEOUT_MS?.value || 1500);
      const grace = spec.template?.spec?.terminationGracePeriodSeconds ?? 30;
      if (grace < (sleepS || 0) + Math.ceil(shutdownMs / 1000) + 1) fail(where, `terminationGracePeriodSeconds ${grace} < preStop ${sleepS} s + shutdown ${shutdownMs} ms + 1 s`);
      const sc = { ...(spec.template?.spec?.securityContext || {}), ...(container.securityContext || {}) };
      if (sc.runAsNonRoot !== true) fail(where, 'runAsNonRoot must be true');
      if (imageUser && /^\d+$/.test(imageUser) && sc.runAsUser !== undefined && String(sc.runAsUser) !== imageUser) fail(where, `runAsUser ${sc.runAsUser} differs from the image's USER ${imageUser}`);
    }
  }
  const services = byKind('Service');
  const svc = services.find((s) => s.o.metadata?.name === 'pushd');
  if (!svc) fail('docker/k8s/', 'no Service named pushd');
  else if (podLabels) {
    if (!matches(svc.o.spec?.selector, podLabels)) fail(svc.where, 'selector does not match the pushd pod labels');
    for (const p of svc.o.spec?.ports || []) {
      const t = p.targetPort ?? p.port;
      const ok = typeof t === 'string' ? portByName.has(t) : (container?.ports || []).some((c) => c.containerPort === t);
      if (!ok) fail(svc.where, `targetPort ${t} is no container port`);
    }
  }
  const pdb = byKind('PodDisruptionBudget')[0];
  if (!pdb) fail('docker/k8s/', 'no PodDisruptionBudget');
  else {
    if (podLabels && !matches(pdb.o.spec?.selector?.matchLabels, podLabels)) fail(pdb.where, 'selector does not match the pushd pod labels');
    if (pdb.o.spec?.minAvailable !== 2) fail(pdb.where, `minAvailable is ${pdb.o.spec?.minAvailable}, expected 2`);
    if (pushdDep && pdb.o.spec?.minAvailable >= pushdDep.o.spec?.replicas) fail(pdb.where, 'minAvailable >= replicas would block every drain');
  }
  for (const ing of byKind('Ingress')) {
    for (const rule of ing.o.spec?.rules || []) for (const p of rule.http?.paths || []) {
      const b = p.backend?.service;
      const target = services.find((s) => s.o.metadata?.name === b?.name);
      if (!target) { fail(ing.where, `backend service ${b?.name} does not exist`); continue; }
      const ok = (target.o.spec?.ports || []).some((sp) => (b.port?.name ? sp.name === b.port.name : sp.port === b.port?.number));
      if (!ok) fail(ing.where, `backend port ${JSON.stringify(b.port)} is not a port of Service ${b.name}`);
    }
  }
  for (const k of byKind('Kustomization')) {
    for (const r of k.o.resources || []) if (!repo.exists(path.posix.join(path.posix.dirname(k.rel), r))) fail(k.where, `resource ${r} does not exist`);
  }
  return { errors, summary: { yaml: yamlDocs.size, dockerfiles: dockerfiles.size, k8sObjects: objects.length } };
}

// Each break must be caught with an error mentioning `expect`.
const breaks = [
  ['docker/k8s/deployment.yaml', 'path: /readyz', 'path: /ready', 'readinessProbe probes /ready'],
  ['docker/k8s/deployment.yaml', 'replicas: 3', 'replicas: 2', 'replicas is 2'],
  ['docker/k8s/deployment.yaml', 'path: /healthz\n              port: http', 'path: /healthz\n              port: 9090', 'livenessProbe port 9090'],
  ['docker/k8s/deployment.yaml', 'terminationGracePeriodSeconds: 15', 'terminationGracePeriodSeconds: 3', 'terminationGracePeriodSeconds 3'],
  ['docker/k8s/deployment.yaml', 'key: DATABASE_URL', 'key: DB_URL', 'has no key DB_URL'],
  ['docker/k8s/deployment.yaml', 'value: "10.244.0.0/16"', 'value: "10.244.0.0/33"', "PUSHD_TRUSTED_PROXIES: '10.244.0.0/33'"],
  ['docker/k8s/pdb.yaml', 'matchLabels:\n      app.kubernetes.io/name: pushd', 'matchLabels:\n      app.kubernetes.io/name: pushd-x', 'PodDisruptionBudget/pushd: selector'],
  ['docker/k8s/service.yaml', 'selector:\n    app.kubernetes.io/name: pushd', 'selector:\n    app.kubernetes.io/name: web', 'Service/pushd: selector'],
  ['docker/k8s/service.yaml', 'apiVersion: v1\n', '', 'apiVersion missing'],
  ['docker/pushd.Dockerfile', 'COPY --chmod=0755 docker/pushd-healthcheck.sh', 'COPY --chmod=0755 docker/pushd-health.sh', 'docker/pushd-health.sh does not exist'],
  ['docker/pushd.Dockerfile', 'USER 10001:10001', 'USER root', 'non-root USER'],
  ['docker/pushd.Dockerfile', 'COPY --from=web', 'COPY --from=webapp', '--from=webapp names no earlier stage'],
  ['docker/postgres.Dockerfile', 'COPY scripts/roles.sql', 'COPY scripts/role.sql', 'scripts/role.sql does not exist'],
  ['.dockerignore', '.git\n', '.git\nscripts\n', 'excluded from the build context by .dockerignore'],
  ['.dockerignore', '.git\n', '.git\n**/*.c\n', '.dockerignore drops source files'],
  ['docker/compose.yaml', '- ../scripts/demo:/demo:ro', '- ../scripts/demos:/demo:ro', 'bind mount source ../scripts/demos'],
  ['docker/compose.yaml', 'dockerfile: docker/pushd.Dockerfile', 'dockerfile: docker/push.Dockerfile', 'docker/push.Dockerfile does not exist'],
  ['docker/compose.yaml', 'services:\n', 'services:\n  bad: [\n', 'YAML does not parse'],
  ['docker/compose.yaml', '@postgres:5432', '@db:5432', 'DATABASE_URL must name'],
  ['docker/demo-simulator.sh', '/demo/content.sql', '/demo/contents.sql', '/demo/contents.sql is read'],
];

function main() {
  const argv = process.argv.slice(2);
  const rootIdx = argv.indexOf('--root');
  const root = path.resolve(rootIdx >= 0 ? argv[rootIdx + 1] : path.join(here, '..', '..'));
  const repo = makeRepo(root);
  const { errors, summary } = check(repo);
  for (const e of errors) console.log(`not ok: ${e}`);
  console.log(`checked ${summary.yaml} YAML files, ${summary.dockerfiles} Dockerfiles, ${summary.k8sObjects} Kubernetes objects: ${errors.length} problem(s)`);
  let selfFailed = 0;
  if (argv.includes('--self-test')) {
    for (const [file, from, to, expect] of breaks) {
      const text = repo.read(file);
      const label = `break ${file}: ${JSON.stringify(from)} -> ${JSON.stringify(to)}`;
      if (text === null || !text.includes(from)) { console.log(`not ok: ${label}: the text to break is not in the file (update the self-test)`); selfFailed++; continue; }
      const broken = check(makeRepo(root, new Map([[file, text.replace(from, to)]]))).errors;
      if (broken.some((e) => e.includes(expect))) console.log(`ok: ${label} is caught`);
      else { console.log(`not ok: ${label} is not caught (wanted "${expect}"; got ${JSON.stringify(broken)})`); selfFailed++; }
    }
    console.log(`self-test: ${breaks.length - selfFailed} of ${breaks.length} breaks caught`);
  }
  process.exit(errors.length || selfFailed ? 1 : 0);
}

main();
