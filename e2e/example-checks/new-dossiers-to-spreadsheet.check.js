'use strict';
// examples/new-dossiers-to-spreadsheet.json lists the dossiers en construction of the subvention
// démarche and writes them as a CSV table. The table read back from n8n's file must hold, row by row,
// what the platform stores for those dossiers (state, numbers, project names, amounts, files).

const { binaryBytes } = require('../lib/checks');
const { csvRecords, storedDossier, champValue } = require('./helpers');

module.exports = async ({ assert, items, platform, n8n }) => {
	const [file] = items('Spreadsheet');
	assert.ok(file && file.binary && file.binary.data, 'Spreadsheet: one item with binary "data"');
	assert.equal(file.binary.data.fileName, 'nouveaux-dossiers.csv', 'file name');
	const rows = csvRecords(binaryBytes(n8n, file.binary.data).toString('utf8'));
	assert.equal(rows.length, 20, 'one row per dossier (limit 20)');
	assert.deepEqual(
		Object.keys(rows[0]),
		[
			'numero',
			'depose_le',
			'groupe',
			'email_usager',
			'nom_du_projet',
			'type_aide',
			'montant_demande',
			'statuts_joints',
		],
		'the columns of the table',
	);
	assert.equal(new Set(rows.map((r) => r.numero)).size, 20, 'twenty different dossiers');

	for (const row of rows) {
		const stored = await storedDossier(platform, Number(row.numero));
		const where = `row of dossier ${row.numero}`;
		assert.equal(stored.demarche, platform.facts.demarches.subvention, `${where}: démarche`);
		assert.equal(stored.state, 'en_construction', `${where}: state on the platform`);
		assert.equal(Date.parse(row.depose_le), Date.parse(stored.dateDepot), `${where}: deposit date`);
		assert.equal(row.nom_du_projet, champValue(stored, 'Nom du projet'), `${where}: project name`);
		assert.equal(row.type_aide, champValue(stored, 'Type d’aide') ?? '', `${where}: type of aid`);
		assert.equal(
			Number(row.montant_demande),
			Number(champValue(stored, 'Montant demandé (€)')),
			`${where}: amount`,
		);
		// the CSV writer prints booleans as TRUE / FALSE
		assert.equal(
			row.statuts_joints.toLowerCase(),
			String(champValue(stored, 'Statuts de l’association') !== null),
			`${where}: whether the statuts are attached`,
		);
	}
};
