'use strict';
/** Small helpers shared by the bench runner and its workers. */
const { fork } = require('child_process');
const path = require('path');

const median = (values) => {
	const sorted = values
		.filter((v) => typeof v === 'number' && Number.isFinite(v))
		.sort((a, b) => a - b);
	if (!sorted.length) return null;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const round = (value, digits = 2) =>
	value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** JSON call to the sandbox's control API (/__sandbox/...). */
async function control(controlUrl, method, route, body) {
	const response = await fetch(`${controlUrl}${route}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status >= 400)
		throw new Error(`control ${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
	return text ? JSON.parse(text) : null;
}

/** A forked Node process answering `{id, ...}` to `{id, cmd, ...}` messages. */
function ipcChild(script, { args = [], env = {}, execArgv = [] } = {}) {
	const child = fork(script, args, {
		env: { ...process.env, ...env },
		execArgv,
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	let nextId = 0;
	const pending = new Map();
	let onFirst;
	const first = new Promise((resolve, reject) => {
		onFirst = resolve;
		child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited with ${code}`)));
	});
	child.on('message', (message) => {
		if (message && message.id !== undefined && pending.has(message.id)) {
			pending.get(message.id)(message);
			pending.delete(message.id);
		} else onFirst(message);
	});
	return {
		child,
		first,
		ask(cmd, extra = {}) {
			const id = ++nextId;
			return new Promise((resolve) => {
				pending.set(id, resolve);
				child.send({ id, cmd, ...extra });
			});
		},
	};
}

/**
 * Runs one measurement in a fresh Node process (bench/worker.js), so each figure has its own peak
 * RSS and cold start like a real run. Messages before the result go to `onMessage(message, reply)`.
 * Resolves with the worker's final message.
 */
function runWorker(task, { onMessage, timeoutMs = 600000 } = {}) {
	const child = fork(path.join(__dirname, '..', 'worker.js'), [JSON.stringify(task)], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		execArgv: [
			'--expose-gc',
			...(process.env.BENCH_CPU_PROF
				? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
				: []),
		],
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	return new Promise((resolve, reject) => {
		let settled = false;
		child.on('message', (message) => {
			if (!message.final) {
				Promise.resolve(onMessage && onMessage(message, (reply) => child.send(reply))).catch(
					reject,
				);
				return;
			}
			settled = true;
			if (message.error) reject(new Error(`worker ${task.kind}: ${message.error}`));
			else resolve(message);
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			if (!settled) reject(new Error(`worker ${task.kind} exited with ${code} before its result`));
		});
	});
}

module.exports = { control, ipcChild, median, round, runWorker };
