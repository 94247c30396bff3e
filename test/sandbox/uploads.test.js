'use strict';
/** createDirectUpload and the signed PUT to the storage listener, which checks the MD5. */
const crypto = require('crypto');
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 30 });
});
afterAll(() => sandbox.stop());
afterEach(() => control(sandbox, 'POST', '/clock', { real: true }));

const CREATE = `mutation($input: CreateDirectUploadInput!) { createDirectUpload(input: $input) { directUpload { url headers blobId signedBlobId } } }`;
const bytes = Buffer.from('%PDF-1.4\nun justificatif de test\n');
const md5 = (b) => crypto.createHash('md5').update(b).digest('base64');

async function createUpload(body = bytes, token = sandbox.tokens.admin) {
	const input = {
		dossierId: Buffer.from(`Dossier-${sandbox.facts.everyChampDossier}`).toString('base64'),
		filename: 'justificatif.pdf',
		byteSize: body.length,
		checksum: md5(body),
		contentType: 'application/pdf',
	};
	return gql(sandbox, CREATE, { input }, `Bearer ${token}`);
}

it('gives a signed PUT URL on the storage host; the upload then resolves from its signedBlobId', async () => {
	const upload = (await createUpload()).json.data.createDirectUpload.directUpload;
	expect(new URL(upload.url).hostname).toBe('localhost');
	const headers = JSON.parse(upload.headers);
	expect(headers).toEqual({ 'Content-Type': 'application/pdf', 'Content-MD5': md5(bytes) });
	expect(sandbox.sandbox.uploads.resolveSignedBlobId(upload.signedBlobId).ok).toBe(false);
	const put = await fetch(upload.url, { method: 'PUT', headers, body: bytes });
	expect(put.status).toBe(200);
	const resolved = sandbox.sandbox.uploads.resolveSignedBlobId(upload.signedBlobId);
	expect(resolved).toMatchObject({
		ok: true,
		file: { filename: 'justificatif.pdf', byteSize: bytes.length, checksum: md5(bytes) },
	});
	expect(sandbox.sandbox.uploads.resolveSignedBlobId(`${upload.signedBlobId}x`).ok).toBe(false);
	// The stored bytes are served back through a signed download URL.
	const download = await fetch(sandbox.sandbox.files.url(resolved.file));
	expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
});

it('refuses a body whose MD5 differs, and an expired URL', async () => {
	const upload = (await createUpload()).json.data.createDirectUpload.directUpload;
	const headers = JSON.parse(upload.headers);
	const tampered = Buffer.from(bytes);
	tampered[0] = 0;
	expect((await fetch(upload.url, { method: 'PUT', headers, body: tampered })).status).toBe(400);
	await control(sandbox, 'POST', '/clock', { advanceMs: 61 * 60 * 1000 });
	expect((await fetch(upload.url, { method: 'PUT', headers, body: bytes })).status).toBe(403);
	expect(sandbox.sandbox.uploads.resolveSignedBlobId(upload.signedBlobId).ok).toBe(false);
});

it('refuses read-only tokens: a top-level unauthorized error (PR #13547); older servers a null upload (invalid_null)', async () => {
	const res = await createUpload(bytes, sandbox.tokens.readOnly);
	expect(res.json.data).toEqual({ createDirectUpload: null });
	expect(res.json.errors).toEqual([
		expect.objectContaining({
			message: 'Le jeton utilisé est configuré seulement en lecture',
			extensions: { code: 'unauthorized' },
		}),
	]);
	await control(sandbox, 'POST', '/modes', { olderServer: true });
	try {
		const older = await createUpload(bytes, sandbox.tokens.readOnly);
		expect(older.json.data).toEqual({ createDirectUpload: null });
		expect(older.json.errors[0]).toMatchObject({
			message: expect.stringMatching(/^Cannot return null for non-nullable field CreateDirectUploadPayload\.directUpload/),
			path: ['createDirectUpload', 'directUpload'],
			extensions: { code: 'invalid_null' },
		});
	} finally {
		await control(sandbox, 'POST', '/modes', { olderServer: false });
	}
});

it('is safe to repeat: each call makes another blob, URL and signed ID, and attaches nothing', async () => {
	const before = await control(sandbox, 'GET', `/dossiers/${sandbox.facts.everyChampDossier}`);
	const [a, b] = [(await createUpload()).json.data.createDirectUpload.directUpload, (await createUpload()).json.data.createDirectUpload.directUpload];
	expect(a.blobId).not.toBe(b.blobId);
	expect(a.signedBlobId).not.toBe(b.signedBlobId);
	expect(a.url).not.toBe(b.url);
	const after = await control(sandbox, 'GET', `/dossiers/${sandbox.facts.everyChampDossier}`);
	expect(after.version).toBe(before.version);
});

it('names its payload when the dossier is unknown: CreateDirectUploadPayload not found', async () => {
	const res = await gql(sandbox, CREATE, {
		input: { dossierId: Buffer.from('Dossier-999999').toString('base64'), filename: 'a.pdf', byteSize: 1, checksum: md5(Buffer.from('a')), contentType: 'application/pdf' },
	});
	expect(res.json.data).toEqual({ createDirectUpload: null });
	expect(res.json.errors[0]).toMatchObject({ message: 'CreateDirectUploadPayload not found', extensions: { code: 'not_found' } });
});

it('answers not_implemented for mutations the sandbox does not implement', async () => {
	const res = await gql(
		sandbox,
		'mutation { demarcheAjouterAdministrateur(input: {demarche: {number: 1001}, administrateurs: [{email: "a@b.fr"}]}) { errors { message } } }',
	);
	expect(res.json.errors[0].extensions.code).toBe('not_implemented');
});

it('OpenStack Swift storage (the platform\'s): headers {Content-Type, ETag: hex MD5}, sent verbatim; a mismatch is 422', async () => {
	await control(sandbox, 'POST', '/modes', { uploadBackend: 'swift' });
	try {
		const upload = (await createUpload()).json.data.createDirectUpload.directUpload;
		const headers = JSON.parse(upload.headers);
		expect(headers).toEqual({ 'Content-Type': 'application/pdf', ETag: crypto.createHash('md5').update(bytes).digest('hex') });
		const tampered = Buffer.from(bytes);
		tampered[1] = 0;
		expect((await fetch(upload.url, { method: 'PUT', headers, body: tampered })).status).toBe(422);
		const again = (await createUpload()).json.data.createDirectUpload.directUpload;
		expect((await fetch(again.url, { method: 'PUT', headers: JSON.parse(again.headers), body: bytes })).status).toBe(200);
		expect(sandbox.sandbox.uploads.resolveSignedBlobId(again.signedBlobId).ok).toBe(true);
	} finally {
		await control(sandbox, 'POST', '/modes', { uploadBackend: 's3' });
	}
});

it('a byteSize of 0 is refused (sandbox wording: upstream not read)', async () => {
	const res = await gql(sandbox, CREATE, {
		input: { dossierId: Buffer.from(`Dossier-${sandbox.facts.everyChampDossier}`).toString('base64'), filename: 'vide.pdf', byteSize: 0, checksum: md5(Buffer.alloc(0)), contentType: 'application/pdf' },
	});
	expect(res.json.data).toEqual({ createDirectUpload: null });
	expect(res.json.errors[0].message).toBe('byteSize doit être supérieur à 0');
});
