'use strict';
// examples/new-dossiers-to-spreadsheet.json: the first 20 dossiers en construction of the subvention
// démarche become rows of a CSV file built with n8n's own nodes. The platform's list, asked
// directly, is the reference for which dossiers; the CSV n8n wrote must hold exactly those.

const { binaryBytes, platformQuery } = require('../lib/checks');

module.exports = async ({ assert, output, items, platform, n8n }) => {
	const { demarche } = await platformQuery(
		platform,
		'query ($n: Int!) { demarche(number: $n) { dossiers(first: 20, state: en_construction) { nodes { number } } } }',
		{ n: platform.facts.demarches.subvention },
	);
	const expected = demarche.dossiers.nodes.map((d) => d.number);
	assert.ok(expected.length > 0, 'the sandbox has dossiers en construction');

	const listed = output('Dossiers en construction').map((d) => d.number);
	assert.deepEqual(
		listed,
		expected,
		'the node lists the platform’s dossiers en construction, in its order',
	);

	const [file] = items('Spreadsheet');
	assert.ok(file && file.binary && file.binary.data, 'the Spreadsheet node produced a file');
	const lines = binaryBytes(n8n, file.binary.data).toString('utf8').trim().split(/\r?\n/);
	assert.equal(lines.length, expected.length + 1, 'a header row plus one row per dossier');
	for (const number of expected) {
		assert.ok(
			lines.some((l) => l.split(',').includes(String(number))),
			`dossier ${number} has a row in the CSV`,
		);
	}
};
