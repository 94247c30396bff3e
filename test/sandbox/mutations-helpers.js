'use strict';
/** Shared by the sandbox's mutation, prefill and webhook tests: fresh dossiers, IDs, typed calls. */
const crypto = require('crypto');
const { control, gql } = require('./helpers');

const gid = (type, id) => Buffer.from(`${type}-${id}`).toString('base64');
const md5 = (bytes) => crypto.createHash('md5').update(bytes).digest('base64');

/**
 * The démarche's groupe with instructeurs, one of its instructeurs and one without access.
 * @returns {Promise<{groupe: object, insider: {id, email}, outsider: {id, email}}>}
 */
async function actors(sandbox, demarche = 1001) {
	const info = await control(sandbox, 'GET', `/demarches/${demarche}`);
	const groupe = info.groupes.find((g) => !g.closed && g.instructeurIds.length > 0);
	const insiderId = groupe.instructeurIds[0];
	const all = sandbox.facts.instructeurs.map((i) => ({
		...i,
		number: Number(Buffer.from(i.id, 'base64').toString().split('-')[1]),
	}));
	const insider = all.find((i) => i.number === insiderId);
	const outsider = all.find((i) => !groupe.instructeurIds.includes(i.number));
	return { groupe, insider, outsider };
}

/** A new dossier in `groupe`, moved to `state` through the control API (no business rules). */
async function freshDossier(sandbox, { demarche = 1001, groupe, state = 'en_construction' } = {}) {
	const dossier = await control(sandbox, 'POST', '/act/deposit', { demarche, groupe });
	if (state !== 'en_construction')
		await control(sandbox, 'POST', '/act/state', { number: dossier.number, state });
	return dossier.number;
}

/** Runs `mutation <name>($input: <Name>Input!) { <name>(input: $input) { <selection> } }`. */
async function mutate(sandbox, name, input, selection = 'errors { message }', token) {
	const inputType = `${name[0].toUpperCase()}${name.slice(1)}Input`;
	const res = await gql(
		sandbox,
		`mutation M($input: ${inputType}!) { ${name}(input: $input) { ${selection} } }`,
		{ input },
		token === undefined ? undefined : `Bearer ${token}`,
	);
	return res.json;
}

/** createDirectUpload + PUT of `bytes` (or `putBytes` when given, to break the checksum). */
async function upload(sandbox, dossierNumber, bytes, { filename = 'piece.pdf', putBytes } = {}) {
	const res = await gql(
		sandbox,
		`mutation($input: CreateDirectUploadInput!) { createDirectUpload(input: $input) { directUpload { url headers signedBlobId } } }`,
		{
			input: {
				dossierId: gid('Dossier', dossierNumber),
				filename,
				byteSize: bytes.length,
				checksum: md5(bytes),
				contentType: 'application/pdf',
			},
		},
	);
	const direct = res.json.data.createDirectUpload.directUpload;
	const put = await fetch(direct.url, {
		method: 'PUT',
		headers: JSON.parse(direct.headers),
		body: putBytes || bytes,
	});
	return { signedBlobId: direct.signedBlobId, putStatus: put.status };
}

module.exports = { gid, md5, actors, freshDossier, mutate, upload };
