'use strict';
// examples/attachment-export-manual.json (the run-by-hand twin of nightly-attachment-export.json)
// downloads every file of the dossiers updated since a date and packs them into one ZIP, each file name
// prefixed with its dossier number (names repeat from one dossier to the next). The archive read back from n8n must
// hold exactly the platform's files of those dossiers, each with the platform's MD5.

const crypto = require('node:crypto');
const { binaryBytes, platformQuery } = require('../lib/checks');
const { unzip } = require('./helpers');

const FILE = 'filename checksum';
const FILES = `query Files($number: Int!) {
	dossier(number: $number) {
		dateDerniereModification
		champs { ...Files ... on RepetitionChamp { rows { champs { ...Files } } } }
		annotations { ...Files ... on RepetitionChamp { rows { champs { ...Files } } } }
		messages { attachments { ${FILE} } }
		attestation { ${FILE} }
		motivationAttachment { ${FILE} }
	}
}
fragment Files on Champ { ... on PieceJustificativeChamp { files { ${FILE} } } }`;

const champFiles = (champs) =>
	champs.flatMap((c) => [
		...(c.files || []),
		...(c.rows || []).flatMap((r) => champFiles(r.champs)),
	]);

module.exports = async ({ assert, output, items, platform, n8n }) => {
	const [window] = output('Export window');
	const dossiers = output('Dossiers updated since');
	assert.equal(dossiers.length, 5, 'five dossiers updated since the date (limit 5)');

	const expected = new Map();
	for (const { number } of dossiers) {
		const { dossier } = await platformQuery(platform, FILES, { number });
		assert.ok(
			Date.parse(dossier.dateDerniereModification) >= Date.parse(window.since),
			`dossier ${number} was updated since ${window.since}`,
		);
		const files = [
			...champFiles(dossier.champs),
			...champFiles(dossier.annotations),
			...dossier.messages.flatMap((m) => m.attachments),
			...[dossier.attestation, dossier.motivationAttachment].filter(Boolean),
		];
		for (const f of files) expected.set(`${number}-${f.filename}`, f.checksum);
	}
	assert.ok(expected.size >= 3, `the dossiers have files (got ${expected.size})`);

	const zipped = items('ZIP archive');
	assert.equal(zipped.length, 1, 'one archive');
	assert.match(
		zipped[0].binary.data.fileName,
		/^pieces-jointes-\d{4}-\d{2}-\d{2}\.zip$/,
		'archive name',
	);
	const entries = unzip(binaryBytes(n8n, zipped[0].binary.data));
	assert.deepEqual(
		entries.map((e) => e.name).sort(),
		[...expected.keys()].sort(),
		'one entry per file of the platform, named <dossier>-<file name>',
	);
	for (const entry of entries)
		assert.equal(
			crypto.createHash('md5').update(entry.bytes).digest('base64'),
			expected.get(entry.name),
			`${entry.name}: the bytes match the platform's checksum`,
		);
};
