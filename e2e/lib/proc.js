'use strict';
// Child processes for the e2e tooling: run to completion with output captured to a log file, and
// long-lived servers that are always killed (whole process group) when we exit.

const { spawn } = require('node:child_process');
const fs = require('node:fs');

/**
 * Runs a command to completion. Resolves {code, stdout, stderr}; rejects only when asked to check
 * the exit code (`check: true`, the default), with the output tail in the message.
 * `logFile`: also append everything to this file (installs are long and their output is noise).
 */
function run(cmd, args, { cwd, env, logFile, check = true, timeoutMs = 0, input, uid, gid } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd,
			env: env || process.env,
			stdio: ['pipe', 'pipe', 'pipe'],
			...(uid === undefined ? {} : { uid, gid }),
		});
		liveRuns.add(child);
		child.on('exit', () => liveRuns.delete(child));
		const out = [];
		const err = [];
		const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
		if (logStream)
			logStream.write(`\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd || process.cwd()})\n`);
		child.stdout.on('data', (d) => {
			out.push(d);
			if (logStream) logStream.write(d);
		});
		child.stderr.on('data', (d) => {
			err.push(d);
			if (logStream) logStream.write(d);
		});
		let timer = null;
		if (timeoutMs > 0) {
			timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		}
		if (input !== undefined) child.stdin.end(input);
		else child.stdin.end();
		child.on('error', (e) => {
			if (timer) clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			if (logStream) logStream.end();
			const result = {
				code: code === null ? 128 : code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			};
			if (check && result.code !== 0) {
				const tail = stripAnsi(result.stdout + '\n' + result.stderr)
					.trim()
					.split('\n')
					.slice(-25)
					.join('\n');
				const why = signal ? `killed by ${signal}${timer ? ' (timeout?)' : ''}` : `exit ${code}`;
				const e = new Error(
					`${cmd} ${args.join(' ')} failed (${why})${logFile ? `; full log: ${logFile}` : ''}\n${tail}`,
				);
				e.result = result;
				reject(e);
				return;
			}
			resolve(result);
		});
	});
}

/** Removes terminal control sequences (spinners, colours) from captured output. */
function stripAnsi(text) {
	return (
		text
			.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
			.replace(/\r/g, '\n')
			// spinner frames (n8n-node build) left one after the other on a line
			.replace(/[◒◐◓◑] [^◒◐◓◑│■\n]*/g, '')
	);
}

const liveGroups = new Set();
/** Children of run() still running: an interrupted install must not leave its `npm install` behind. */
const liveRuns = new Set();

function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

// Servers run in their own process group so that n8n's task-runner children die with them.
process.on('exit', () => {
	for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
	for (const child of liveRuns) child.kill('SIGTERM');
});

/**
 * Starts a long-lived process in its own process group. Output goes to `logFile`.
 * Returns {child, pid, stop(graceMs?): Promise<void>, kill(signal), exited: Promise<{code, signal}>}.
 * `stopSignal` (SIGTERM): what stop() sends first (PostgreSQL shuts down fast on SIGINT). `uid`/`gid`:
 * run as another user (PostgreSQL refuses to run as root).
 */
function startDaemon(cmd, args, { cwd, env, logFile, stopSignal = 'SIGTERM', uid, gid }) {
	const logFd = fs.openSync(logFile, 'a');
	const child = spawn(cmd, args, {
		cwd,
		env,
		detached: true,
		stdio: ['ignore', logFd, logFd],
		...(uid === undefined ? {} : { uid, gid }),
	});
	fs.closeSync(logFd);
	liveGroups.add(child.pid);
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			liveGroups.delete(child.pid);
			resolve({ code, signal });
		});
	});
	let stopping = null;
	const stop = (graceMs = 10000) => {
		if (stopping) return stopping;
		stopping = (async () => {
			if (!liveGroups.has(child.pid)) return;
			killGroup(child.pid, stopSignal);
			const timer = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
			if ((await Promise.race([exited, timer])) === 'timeout') {
				killGroup(child.pid, 'SIGKILL');
				await exited;
			}
			// the group may still hold children (task runners) after the leader exits
			killGroup(child.pid, 'SIGKILL');
		})();
		return stopping;
	};
	/** Sends `signal` to the whole group at once (SIGKILL: a crash, nothing can clean up). */
	const kill = (signal) => killGroup(child.pid, signal);
	return { child, pid: child.pid, stop, kill, exited };
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

module.exports = { run, startDaemon, sleep, stripAnsi };
