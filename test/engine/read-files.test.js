'use strict';
/**
 * dossier.downloadFiles in n8n's engine against the sandbox: byte-exact files with verified
 * checksums, an expired URL refreshed, a corrupted file refused, and no Authorization header (nor
 * the token anywhere) reaching the storage host.
 */
const { createHash } = require('crypto');

const { NODE, startReadSandbox, runNode, control, apiRequests, byId } = require('./read-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
});
afterAll(async () => {
	await sb?.stop();
});
beforeEach(async () => {
	await control(sb, 'DELETE', '/storage-requests');
	await control(sb, 'DELETE', '/requests');
});

const md5 = (buffer) => createHash('md5').update(buffer).digest('base64');
/** The bytes the storage serves for a file key of the seed (sandbox/lib/seed.js SHOWCASE). */
const seedBytes = (key) => sb.sandbox.files.bytes(key);

const download = (extra = {}) => ({ resource: 'dossier', operation: 'downloadFiles', dossier: byId(10001), ...extra });

async function storageLog() {
	return await control(sb, 'GET', '/storage-requests');
}

async function expectNoCredentialAtStorage() {
	const log = await storageLog();
	expect(log.length).toBeGreaterThan(0);
	for (const entry of log) {
		expect(entry.headers).not.toHaveProperty('authorization');
		expect(JSON.stringify(entry)).not.toContain(sb.tokens.admin);
	}
}

describe('dossier.downloadFiles', () => {
	it('returns one item per file, byte-exact, with the checksum verified, and sends no token to storage', async () => {
		const { run, json, error } = await runNode(sb, download());
		expect(error).toBeUndefined();
		expect(json).toEqual([
			{ dossierNumber: 10001, source: 'Justificatif de domicile', kind: 'champ', filename: 'justificatif-domicile.pdf', contentType: 'application/pdf', byteSize: 2048, checksum: md5(seedBytes('s10001-justificatif-0-2048')) },
			{ dossierNumber: 10001, source: 'Justificatif de domicile', kind: 'champ', filename: 'quittance-loyer.pdf', contentType: 'application/pdf', byteSize: 5120, checksum: md5(seedBytes('s10001-justificatif-1-5120')) },
			{ dossierNumber: 10001, source: 'message', kind: 'message', filename: 'modele-plan-de-financement.pdf', contentType: 'application/pdf', byteSize: 3072, checksum: md5(seedBytes('m10001-plan-3072')) },
		]);
		const keys = ['s10001-justificatif-0-2048', 's10001-justificatif-1-5120', 'm10001-plan-3072'];
		keys.forEach((key, index) => {
			expect(run.binary(NODE, index).equals(seedBytes(key))).toBe(true);
		});
		const item = run.items(NODE)[1];
		expect(item.binary.data).toMatchObject({ fileName: 'quittance-loyer.pdf', mimeType: 'application/pdf' });
		expect(item.pairedItem).toEqual({ item: 0 });
		await expectNoCredentialAtStorage();
		// one GraphQL request for the dossier, none for the files
		expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDossier']);
	});

	it('takes the chosen sources and binary field (avis attachment, PDF export)', async () => {
		const { run, json, error } = await runNode(sb, download({ sources: ['avis', 'pdf'], options: { binaryPropertyName: 'file' } }));
		expect(error).toBeUndefined();
		expect(json.map((f) => [f.source, f.filename])).toEqual([
			['avis', 'avis-voirie.pdf'],
			['pdf', 'dossier-10001.pdf'],
		]);
		expect(run.binary(NODE, 0, 'file').equals(seedBytes('a10001-voirie-4096'))).toBe(true);
		const pdf = run.binary(NODE, 1, 'file');
		expect(md5(pdf)).toBe(json[1].checksum);
		expect(pdf.length).toBe(json[1].byteSize);
		expect(run.items(NODE)[0].binary).not.toHaveProperty('data');
	});

	it('refreshes URLs the storage refuses by asking the platform for the dossier again', async () => {
		const files = sb.sandbox.files;
		const original = files.url;
		const signed = new Set();
		// The first link signed for each file (the first GetDossier's) says it is valid for an hour,
		// but the storage refuses it (its clock is ahead, or the signing key changed).
		files.url = function (file) {
			if (signed.has(file.key)) return original.call(this, file);
			signed.add(file.key);
			return original.call(this, file).replace(/temp_url_sig=[0-9a-f]{4}/, 'temp_url_sig=0000');
		};
		try {
			const { run, json, error } = await runNode(sb, download());
			expect(error).toBeUndefined();
			expect(json.map((f) => f.filename)).toEqual(['justificatif-domicile.pdf', 'quittance-loyer.pdf', 'modele-plan-de-financement.pdf']);
			expect(run.binary(NODE, 1).equals(seedBytes('s10001-justificatif-1-5120'))).toBe(true);
			const log = await storageLog();
			const refused = log.filter((entry) => entry.status === 403);
			const served = log.filter((entry) => entry.status === 200).map((entry) => decodeURIComponent(entry.path.split('/')[2]));
			expect(refused.length).toBeGreaterThanOrEqual(1);
			expect(served.sort()).toEqual(['m10001-plan-3072', 's10001-justificatif-0-2048', 's10001-justificatif-1-5120']);
			// one fresh copy of the dossier served every expired file
			expect((await apiRequests(sb)).map((r) => r.operationName)).toEqual(['GetDossier', 'GetDossier']);
			await expectNoCredentialAtStorage();
		} finally {
			files.url = original;
		}
	});

	it('refuses a file whose bytes do not match its checksum, naming it', async () => {
		const files = sb.sandbox.files;
		const original = files.checksum;
		files.checksum = function (file) {
			return file.key === 's10001-justificatif-1-5120' ? md5(Buffer.from('something else')) : original.call(this, file);
		};
		try {
			const { error } = await runNode(sb, download());
			expect(error).toBeDefined();
			expect(error.message).toContain('does not match its checksum');
			expect(error.message).toContain('quittance-loyer.pdf');
			expect(error.message).toContain('dossier 10001');
		} finally {
			files.checksum = original;
		}
	});

	it('with Continue On Fail, a dossier hidden from the token gives an error item and the next dossier its files', async () => {
		const { items, error } = await runNode(
			sb,
			download({ dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' }, sources: ['champs'] }),
			{ token: sb.tokens.scoped, continueOnFail: true, input: [{ json: { number: 10001 } }, { json: { number: 10002 } }] },
		);
		expect(error).toBeUndefined();
		const first = items.filter((i) => i.pairedItem.item === 0);
		expect(first).toHaveLength(1);
		expect(first[0].json.error).toMatch(/hidden due to permissions/);
		const second = items.filter((i) => i.pairedItem.item === 1);
		// 10002 (démarche 1002, seeded): "Statuts de l’association" and "Budget prévisionnel signé" hold a file each
		expect(second.map((i) => i.json.source)).toEqual(['Statuts de l’association', 'Budget prévisionnel signé']);
		expect(second.every((i) => i.json.dossierNumber === 10002 && i.binary?.data)).toBe(true);
	});
});
