// Test harness for the dashboard e2e tests: pushd process control, SQL through psql, headless Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_OUT = process.env.TEST_OUT || path.join(REPO_ROOT, 'build/test-output/e2e');
const WEB_ROOT = path.join(REPO_ROOT, 'pushd/web/dist');
const READY_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
];

// A TCP port that is free on 127.0.0.1 right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs SQL through psql (PG* environment) and returns its unaligned, tuples-only output.
export function sql(statement) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' }).trim();
}

// A SQL string literal.
export function literal(text) {
  return `'${String(text).replaceAll("'", "''")}'`;
}

// pushd started on port with the built dashboard and extraArgs (e.g. ['--jwt-secret', s]); its output is
// appended to TEST_OUT/pushd.log.
export class Pushd {
  // Remembers the port and arguments; nothing runs until start().
  constructor(port, extraArgs = []) {
    this.port = port;
    this.extraArgs = extraArgs;
    this.process = null;
    mkdirSync(TEST_OUT, { recursive: true });
    this.log = createWriteStream(path.join(TEST_OUT, 'pushd.log'), { flags: 'a' });
  }

  // The base URL of this pushd.
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  // Starts the binary and waits until /readyz answers 200 (LISTEN connection up).
  async start() {
    const binary = process.env.PUSHD_BIN || path.join(REPO_ROOT, 'pushd/pushd');
    this.process = spawn(binary, ['--port', String(this.port), '--web-root', WEB_ROOT, ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout.pipe(this.log, { end: false });
    this.process.stderr.pipe(this.log, { end: false });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`pushd exited with ${this.process.exitCode}; see ${TEST_OUT}/pushd.log`);
      if (await this.ready()) return;
      await sleep(50);
    }
    throw new Error('pushd did not become ready');
  }

  // True when GET /readyz answers 200.
  async ready() {
    try {
      return (await fetch(`${this.url}/readyz`)).status === 200;
    } catch {
      return false;
    }
  }

  // Stops pushd with SIGTERM and waits for it to exit (SIGKILL after a timeout).
  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.process = null;
  }
}

// Headless Debian Chromium driven by playwright-core (never a downloaded browser).
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

// Saves a full-page screenshot of page as TEST_OUT/<name>.png and returns its path.
export async function screenshot(page, name) {
  const file = path.join(TEST_OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Resolves after ms milliseconds.
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// An HS256 JWT signed with secret over claims (exp defaults to one hour from now).
export function signToken(secret, claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(body)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

// The serious and critical accessibility violations axe-core (from npm) finds on the page right now.
export async function seriousAxeViolations(page) {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
}
