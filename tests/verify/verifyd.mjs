// The real openagents-verifyd under its sandbox, through verifyd_drive:
// requests of every kind, a 900 KiB patch, garbage, and the protocol
// violations that must end it.  Every process started here is ended by
// its pid; every wait is bounded.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const build = process.env.OA_BUILD_ROOT;
const src = process.env.OA_SOURCE_ROOT;
const drive = path.join(build, 'tests', 'verify', 'verifyd_drive');
const verifyd = path.join(build, 'openagents-verifyd');
const fixtures = path.join(src, 'tests', 'verify', 'fixtures');
// enforce unless told (an ASan build needs "off": its exit path calls
// sigaltstack, which the policy rightly forbids)
const mode = process.env.OA_SANDBOX_MODE ?? 'enforce';
const ready = 'ready ' + { off: 0, enforce: 1, log: 2 }[mode];
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const fixture = (n) => readFileSync(path.join(fixtures, n), 'utf8');

function run(lines, ms = 60000) {
  return new Promise((resolve, reject) => {
    const child = spawn(drive, ['-S', mode, verifyd],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => {
      process.kill(child.pid, 'SIGKILL');
      reject(new Error(`driver timed out; stderr:\n${err}`));
    }, ms);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: out.split('\n').filter((l) => l !== ''), err });
    });
    child.stdin.on('error', () => {});	// verifyd may die first
    child.stdin.end(lines.map((l) => l + '\n').join(''));
  });
}

const verdict = (line) => {
  assert.ok(line.startsWith('ok '), `not a verdict: ${line.slice(0, 200)}`);
  return JSON.parse(line.slice(3));
};

// a new file of 900 KiB, as git diff writes it
const nlines = 900 * 1024 / 64;
const body = Array.from({ length: nlines },
  (_, i) => '+' + String(i).padStart(8, '0') + 'x'.repeat(54) + '\n').join('');
const big = 'diff --git a/big.txt b/big.txt\nnew file mode 100644\n' +
  'index 0000000..1111111\n--- /dev/null\n+++ b/big.txt\n' +
  `@@ -0,0 +1,${nlines} @@\n` + body;
assert.ok(big.length > 900 * 1024);

const garbage = Array.from({ length: 4096 },
  (_, i) => String.fromCharCode(1 + (i * 7919) % 0xd7ff)).join('');
const fix = fixture('fix.diff');
const reviewOk = fixture('review-valid.json');
const patchReq = (patch, extra = {}) => 'patch ' + JSON.stringify({ patch, ...extra });
const reviewReq = (review) => 'review ' + JSON.stringify({ review, diff: fix });
const sha = 'a'.repeat(64);

const requests = [
  patchReq(fix, { allowed_paths: ['src/**', 'tests/**'], disallowed_paths: ['.env'] }),
  patchReq(fixture('env.diff'), { disallowed_paths: ['.env'] }),
  patchReq(big, { max_bytes: 1024 * 1024 }),
  patchReq(garbage),
  patchReq(''),
  reviewReq(reviewOk),
  reviewReq(garbage),
  reviewReq('['.repeat(10000) + ']'.repeat(10000)),
  reviewReq(fixture('review-bad-severity.json')),
  'result ' + JSON.stringify({
    type: 'PatchGen', job_id: 'job_0123456789abcdef',
    agent: { ok: true, trajectory_id: 't1', usage: { input_tokens: 10 } },
    patch: { ok: true, sha256: sha, files_changed: 1, additions: 2, deletions: 0 },
    test: { ok: true, applies_cleanly: true, test_exit_code: 0, verifications: [] },
  }),
  'result ' + JSON.stringify({
    type: 'SandboxRun', job_id: 'job_1',
    run: { ok: false, code: 'E004', timed_out: true },
    limits: { time_limit_secs: 60, memory_mb: 512 },
  }),
];
const repeats = 30;
for (let i = 0; i < repeats; i++)
  requests.push(patchReq(fix));

const a = await run(requests);
assert.equal(a.code, 0, a.err);
assert.equal(a.lines[0], ready, `verifyd is not in ${mode} mode`);
assert.equal(a.lines.length, 1 + requests.length + 1, a.lines.join('\n').slice(0, 2000));
assert.equal(a.lines.at(-1), 'done exit 0', a.err);

let v = verdict(a.lines[1]);
assert.equal(v.ok, true);
assert.equal(v.sha256, sha256(fix));
assert.deepEqual(v.files, ['src/auth.c', 'src/auth.h', 'tests/test_auth.c']);
v = verdict(a.lines[2]);
assert.equal(v.ok, false);
assert.equal(v.code, 'E006');
assert.match(v.message, /\.env/);
v = verdict(a.lines[3]);
assert.equal(v.ok, true, v.message);
assert.equal(v.additions, nlines);
assert.equal(v.sha256, sha256(big));
v = verdict(a.lines[4]);
assert.equal(v.ok, false);
assert.equal(v.code, 'E006');
assert.match(v.message, /does not parse/);
v = verdict(a.lines[5]);
assert.equal(v.code, 'E006');
assert.match(v.message, /no change/);
v = verdict(a.lines[6]);
assert.equal(v.ok, true, v.message);
assert.equal(v.sha256, sha256(v.content));
assert.deepEqual(Object.keys(JSON.parse(v.content)),
  ['summary', 'approval_status', 'issues', 'suggestions', 'highlights']);
assert.deepEqual(v.checks.map((c) => c.name),
  ['schema_valid', 'non_trivial', 'references_valid']);
v = verdict(a.lines[7]);
assert.equal(v.ok, false);
assert.match(v.checks[0].details, /not JSON/);
v = verdict(a.lines[8]);
assert.equal(v.ok, false);
assert.match(v.checks[0].details, /deeper/);
v = verdict(a.lines[9]);
assert.equal(v.ok, false);
assert.match(v.message, /major/);
v = verdict(a.lines[10]);
assert.equal(v.status, 'success');
assert.deepEqual(v.tags[0], ['result', 'patch_sha256', sha]);
assert.deepEqual(v.tags.at(-1), ['usage', 'input_tokens', '10']);
v = verdict(a.lines[11]);
assert.equal(v.status, 'timeout');
assert.equal(v.code, 'E004');
assert.deepEqual(v.tags[0], ['error', 'E004', 'Timeout exceeded after 60 seconds']);
for (let i = 0; i < repeats; i++)
  assert.equal(verdict(a.lines[12 + i]).ok, true);

// what the supervisor must never send: verifyd ends itself (fatalx)
for (const bad of ['patch not json', 'patch {"patch":1}', 'result {"type":"X"}',
  'short', 'raw 999']) {
  const r = await run([bad, patchReq(fix)]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.lines[0], ready);
  assert.equal(r.lines[1], 'gone exit 1', `${bad}: ${r.lines.join('|')}\n${r.err}`);
}
console.log(`ok: ${requests.length} requests, 5 protocol violations`);
