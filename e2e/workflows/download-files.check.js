'use strict';
// download-files.json fetches the champ and message files of the showcase dossier. The platform's
// own file list (asked directly with the admin token) is the reference; every file must arrive
// once, as n8n binary data whose bytes match the platform's MD5.

const crypto = require('node:crypto');
const { binaryBytes, platformQuery } = require('../lib/checks');

const FILES = `query Files($number: Int!) {
	dossier(number: $number) {
		champs { label ... on PieceJustificativeChamp { files { filename checksum } } }
		messages { attachments { filename checksum } }
	}
}`;

module.exports = async ({ assert, items, platform, n8n }) => {
	const { dossier } = await platformQuery(platform, FILES, {
		number: platform.facts.everyChampDossier,
	});
	const expected = [
		...dossier.champs.flatMap((c) => c.files || []),
		...dossier.messages.flatMap((m) => m.attachments),
	];
	assert.ok(
		expected.length >= 3,
		`the showcase dossier has champ and message files (got ${expected.length})`,
	);

	const got = items('Download files');
	assert.equal(got.length, expected.length, 'one item per file of the champs and messages');
	const byChecksum = new Map(expected.map((f) => [f.checksum, f]));
	for (const item of got) {
		const ref = byChecksum.get(item.json.checksum);
		assert.ok(
			ref,
			`item ${item.json.filename}: checksum ${item.json.checksum} is one of the platform's files`,
		);
		assert.equal(item.json.filename, ref.filename, 'filename as the platform names it');
		assert.ok(
			item.binary && item.binary.data,
			`item ${item.json.filename} has binary property "data"`,
		);
		assert.equal(item.binary.data.fileName, ref.filename, 'binary file name');
		const md5 = crypto
			.createHash('md5')
			.update(binaryBytes(n8n, item.binary.data))
			.digest('base64');
		assert.equal(
			md5,
			ref.checksum,
			`bytes of ${ref.filename} as n8n stored them match the platform's checksum`,
		);
		byChecksum.delete(item.json.checksum);
	}
};
