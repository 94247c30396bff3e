'use strict';
/**
 * dossier.downloadFiles in n8n's engine against the sandbox: one pass over the bytes (n8n's stored
 * copy is never read back; a large file streams to the store), one limit of parallel transfers
 * shared by every input item (order and pairing kept), and the links an input item already holds
 * used without asking the platform again, an expired one refreshed.
 */
const { createHash } = require('crypto');

const { Container } = require('../helpers/engine-setup');
const { BinaryDataService } = require('n8n-core');
const { NODE_TYPES, runWorkflow, jsonOf } = require('../helpers/engine');
const { NODE, startReadSandbox, runNode, control, apiRequests, byId } = require('./read-support');

const DEMARCHE = 1003; // "Autorisation d’occupation du domaine public": one piece justificative champ
const CHAMP = 'Attestation d’assurance';
const BIG = 8 * 1024 * 1024 + 3; // several chunks on the way
const md5 = (buffer) => createHash('md5').update(buffer).digest('base64');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let sb;
let since;
/** The dossiers deposited for these tests, each with two files: [{number, files: [{filename, byteSize}]}]. */
const deposited = [];

beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
	since = new Date(Date.now() - 2000).toISOString();
	const sizes = [
		[BIG, 2000],
		[3000, 3100],
		[4000, 4100],
	];
	for (const [i, pair] of sizes.entries()) {
		const { number } = await control(sb, 'POST', '/act/deposit', { demarche: DEMARCHE });
		const files = pair.map((byteSize, n) => ({ filename: `piece-${i + 1}-${n + 1}.pdf`, byteSize }));
		await control(sb, 'POST', '/act/attach', { number, champ: CHAMP, files });
		deposited.push({ number, files });
	}
});
afterAll(async () => {
	await sb?.stop();
});
beforeEach(async () => {
	await control(sb, 'DELETE', '/storage-requests');
	await control(sb, 'DELETE', '/requests');
});

/** The storage key of a download URL (`/blobs/<key>/<filename>`). */
const keyOf = (url) => decodeURIComponent(new URL(url, 'http://x').pathname.split('/')[2]);

const downloadFiles = (extra = {}) => ({
	resource: 'dossier',
	operation: 'downloadFiles',
	dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' },
	sources: ['champs'],
	...extra,
});

const getMany = (extra = {}) => ({
	resource: 'dossier',
	operation: 'getMany',
	demarche: byId(DEMARCHE),
	returnAll: true,
	filters: { createdSince: since },
	...extra,
});

const inputOf = (numbers) => numbers.map((number) => ({ json: { number } }));

/** The bytes the storage served (status 200) for a file name, from its log (requests finish in any order). */
function servedBytes(log, filename) {
	const entry = log.find((e) => e.status === 200 && e.path.includes(`/${encodeURIComponent(filename)}?`));
	return sb.sandbox.files.bytes(keyOf(entry.path));
}

async function storageLog() {
	return await control(sb, 'GET', '/storage-requests');
}

/** Expected output, item by item: every deposited file in order, each paired with its dossier's item. */
function expectAllFiles(items, numbers = deposited.map((d) => d.number)) {
	const expected = numbers.flatMap((number, item) =>
		deposited.find((d) => d.number === number).files.map((f) => ({ number, item, filename: f.filename })),
	);
	expect(items.map((i) => [i.json.dossierNumber, i.pairedItem.item, i.json.filename])).toEqual(
		expected.map((e) => [e.number, e.item, e.filename]),
	);
}

describe('one pass over the bytes', () => {
	it('hashes each file as it arrives: no read-back of the stored copy, every file streams to the store, every checksum verified', async () => {
		const service = Container.get(BinaryDataService);
		const stored = jest.spyOn(service, 'store');
		const readStream = jest.spyOn(service, 'getAsStream');
		const readBuffer = jest.spyOn(service, 'getAsBuffer');
		try {
			const [first] = deposited;
			const { run, json, error } = await runNode(sb, downloadFiles({ dossier: byId(first.number) }));
			expect(error).toBeUndefined();
			expect(json.map((f) => [f.filename, f.byteSize])).toEqual(first.files.map((f) => [f.filename, f.byteSize]));
			const log = await storageLog();
			json.forEach((file, index) => {
				const bytes = servedBytes(log, file.filename);
				expect(run.binary(NODE, index).equals(bytes)).toBe(true);
				expect(file.checksum).toBe(md5(bytes));
			});
			// n8n received each file as a stream, the large one too, and never read either back.
			const bodies = stored.mock.calls.map((call) => call[1]);
			expect(bodies).toHaveLength(2);
			expect(bodies.every((body) => !Buffer.isBuffer(body) && typeof body.pipe === 'function')).toBe(true);
			expect(readStream).not.toHaveBeenCalled();
			expect(readBuffer).not.toHaveBeenCalled();
		} finally {
			stored.mockRestore();
			readStream.mockRestore();
			readBuffer.mockRestore();
		}
	});

	it('refuses a streamed file whose bytes do not match its checksum', async () => {
		const files = sb.sandbox.files;
		const original = files.checksum;
		files.checksum = function (file) {
			return file.byteSize === BIG ? md5(Buffer.from('not these bytes')) : original.call(this, file);
		};
		try {
			const { error } = await runNode(sb, downloadFiles({ dossier: byId(deposited[0].number) }));
			expect(error).toBeDefined();
			expect(error.message).toContain('does not match its checksum');
			expect(error.message).toContain(deposited[0].files[0].filename);
		} finally {
			files.checksum = original;
		}
	});
});

describe('one limit of parallel transfers for every input item', () => {
	/** Holds every transfer `holdMs` (the first dossier's `firstHoldMs`) and counts those in flight. */
	function holdTransfers({ holdMs, firstHoldMs }) {
		const files = sb.sandbox.files;
		const original = files.content;
		const slow = new Set(deposited[0].files.map((f) => f.byteSize));
		const seen = { inFlight: 0, max: 0 };
		files.content = function (key) {
			const content = original.call(this, key);
			if (!content) return content;
			const hold = slow.has(content.byteSize) ? firstHoldMs : holdMs;
			async function* held() {
				seen.inFlight += 1;
				seen.max = Math.max(seen.max, seen.inFlight);
				try {
					await sleep(hold);
					yield* content.chunks;
				} finally {
					seen.inFlight -= 1;
				}
			}
			return { byteSize: content.byteSize, chunks: held() };
		};
		return { seen, restore: () => (files.content = original) };
	}

	it('runs the files of several items at once, never more than Parallel Downloads, in item order and paired', async () => {
		const { seen, restore } = holdTransfers({ holdMs: 150, firstHoldMs: 600 });
		try {
			const numbers = deposited.map((d) => d.number);
			const { items, error } = await runNode(sb, downloadFiles({ options: { concurrency: 3 } }), {
				input: inputOf(numbers),
			});
			expect(error).toBeUndefined();
			// Two files per dossier: three at once means two items overlapped; never more than three.
			expect(seen.max).toBe(3);
			// The first dossier's files finished last, yet come first.
			expectAllFiles(items, numbers);
		} finally {
			restore();
		}
	});

	it('with Parallel Downloads at 1, one transfer at a time for the whole execution', async () => {
		const { seen, restore } = holdTransfers({ holdMs: 30, firstHoldMs: 30 });
		try {
			const numbers = deposited.map((d) => d.number);
			const { items, error } = await runNode(sb, downloadFiles({ options: { concurrency: 1 } }), {
				input: inputOf(numbers),
			});
			expect(error).toBeUndefined();
			expect(seen.max).toBe(1);
			expectAllFiles(items, numbers);
		} finally {
			restore();
		}
	});

	it('without Continue On Fail, fails at the first failing item; the items after it start no transfer', async () => {
		const [first, , third] = deposited;
		const { error } = await runNode(sb, downloadFiles({ options: { concurrency: 1 } }), {
			input: inputOf([first.number, 99999999, third.number]),
		});
		expect(error).toBeDefined();
		expect(error.context.itemIndex).toBe(1);
		const served = (await storageLog()).map((entry) => decodeURIComponent(entry.path));
		expect(served).toHaveLength(2);
		expect(served.every((path) => path.includes('piece-1-'))).toBe(true);
	});

	it('with Continue On Fail, the failing item gives an error item in its place and the others their files', async () => {
		const [first, , third] = deposited;
		const { items, error } = await runNode(sb, downloadFiles(), {
			continueOnFail: true,
			input: inputOf([first.number, 99999999, third.number]),
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => [i.pairedItem.item, i.json.filename ?? 'error'])).toEqual([
			[0, first.files[0].filename],
			[0, first.files[1].filename],
			[1, 'error'],
			[2, third.files[0].filename],
			[2, third.files[1].filename],
		]);
		expect(items[2].json.error).toMatch(/not found/i);
	});
});

describe('links the input item already holds', () => {
	const NAMES = { list: 'List dossiers', download: 'Download files' };

	async function exportWorkflow({ simplify = true, download = {}, include } = {}) {
		const run = await runWorkflow({
			nodes: [
				{ type: NODE_TYPES.action, name: NAMES.list, parameters: getMany({ simplify, ...(include ? { include } : {}) }) },
				{ type: NODE_TYPES.action, name: NAMES.download, parameters: downloadFiles(download) },
			],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
		});
		expect(run.error).toBeUndefined();
		return run;
	}

	it.each([
		['simplified', true],
		['as the API returns them', false],
	])('Get Many (%s) → Download Files: one request to the platform, the listing; every file from the links it holds', async (_label, simplify) => {
		const run = await exportWorkflow({ simplify });
		expect(jsonOf(run.items(NAMES.list)).map((d) => d.number)).toEqual(deposited.map((d) => d.number));
		const items = run.items(NAMES.download);
		expectAllFiles(items);
		const log = await storageLog();
		expect(log.map((entry) => entry.status)).toEqual(Array(6).fill(200));
		items.forEach((item, index) => {
			expect(run.binary(NAMES.download, index).equals(servedBytes(log, item.json.filename))).toBe(true);
		});
		expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDemarcheDossiers']);
	});

	it('reads the dossier when the items lack a part the sources need, or when told not to use their links', async () => {
		// Get Many's default Include has no messages: message attachments need the dossier itself.
		await exportWorkflow({ download: { sources: ['champs', 'messages'] } });
		const reads = (await apiRequests(sb)).map((r) => r.operationName);
		expect(reads).toEqual(['GetDemarcheDossiers', 'GetDossier', 'GetDossier', 'GetDossier']);

		await control(sb, 'DELETE', '/requests');
		const run = await exportWorkflow({ download: { options: { useInputLinks: false } } });
		expectAllFiles(run.items(NAMES.download));
		expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDemarcheDossiers', 'GetDossier', 'GetDossier', 'GetDossier']);
	});

	it('refreshes a link the input item holds once it has expired, before asking the storage', async () => {
		const listed = await runNode(sb, getMany());
		expect(listed.error).toBeUndefined();
		// The second dossier's links were read more than an hour ago.
		const expired = Math.floor(Date.now() / 1000) - 60;
		const input = listed.items.map((item, index) => {
			if (index !== 1) return { json: item.json };
			const json = JSON.parse(JSON.stringify(item.json));
			for (const file of json.champs[CHAMP]) {
				const url = new URL(file.url);
				url.searchParams.set('temp_url_expires', String(expired));
				file.url = url.toString();
			}
			return { json };
		});
		await control(sb, 'DELETE', '/requests');
		const { items, error } = await runNode(sb, downloadFiles(), { input });
		expect(error).toBeUndefined();
		expectAllFiles(items);
		// One fresh read (the stale links, whose signature no longer matches, were never sent: every
		// storage request succeeded, so that read was of the second dossier).
		expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDossier']);
		expect((await storageLog()).map((entry) => entry.status)).toEqual(Array(6).fill(200));
	});

	it('refreshes a link that looks valid but that the storage refuses, matching the file by name and checksum', async () => {
		const listed = await runNode(sb, getMany());
		const input = listed.items.map((item, index) => {
			const json = JSON.parse(JSON.stringify(item.json));
			if (index === 2) {
				const file = json.champs[CHAMP][1];
				file.url = file.url.replace(/temp_url_sig=[0-9a-f]{4}/, 'temp_url_sig=0000');
			}
			return { json };
		});
		await control(sb, 'DELETE', '/requests');
		const { run, items, error } = await runNode(sb, downloadFiles(), { input });
		expect(error).toBeUndefined();
		expectAllFiles(items);
		expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDossier']);
		const log = await storageLog();
		expect(log.filter((entry) => entry.status === 403)).toHaveLength(1);
		expect(log.filter((entry) => entry.status === 200)).toHaveLength(6);
		expect(run.binary(NODE, 5).equals(servedBytes(log, deposited[2].files[1].filename))).toBe(true);
	});
});
