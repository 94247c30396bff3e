'use strict';
/**
 * Proves the sandbox SDL is a faithful subset of the real platform schema: every type, field,
 * argument (with its type) and enum value the sandbox declares exists identically upstream.
 * The `extensions/` folder (features not in the real schema, behind switches) is excluded.
 */
const fs = require('fs');
const path = require('path');
const {
	buildSchema,
	isEnumType,
	isInputObjectType,
	isInterfaceType,
	isObjectType,
	isScalarType,
	isUnionType,
} = require('graphql');
const { loadRealSchema } = require('../helpers/schema');

const sandboxSchemaDir = path.resolve(__dirname, '../../sandbox/schema');

function loadSandboxSchema() {
	const files = fs.readdirSync(sandboxSchemaDir).filter((f) => f.endsWith('.graphql'));
	return buildSchema(
		files.map((f) => fs.readFileSync(path.join(sandboxSchemaDir, f), 'utf8')).join('\n'),
	);
}

function kindOf(type) {
	if (isObjectType(type)) return 'object';
	if (isInterfaceType(type)) return 'interface';
	if (isInputObjectType(type)) return 'input';
	if (isEnumType(type)) return 'enum';
	if (isUnionType(type)) return 'union';
	if (isScalarType(type)) return 'scalar';
	return 'unknown';
}

/** Every difference between the sandbox schema and the real one, as readable strings. */
function incompatibilities(sandbox, real) {
	const problems = [];
	for (const type of Object.values(sandbox.getTypeMap())) {
		if (type.name.startsWith('__')) continue;
		const realType = real.getType(type.name);
		if (!realType) {
			problems.push(`type ${type.name} does not exist`);
			continue;
		}
		if (kindOf(type) !== kindOf(realType)) {
			problems.push(`type ${type.name} is ${kindOf(type)} but ${kindOf(realType)} upstream`);
			continue;
		}
		if (isObjectType(type) || isInterfaceType(type)) {
			const realFields = realType.getFields();
			for (const field of Object.values(type.getFields())) {
				const realField = realFields[field.name];
				if (!realField) {
					problems.push(`field ${type.name}.${field.name} does not exist`);
					continue;
				}
				if (String(field.type) !== String(realField.type))
					problems.push(`field ${type.name}.${field.name}: ${field.type} vs ${realField.type}`);
				for (const arg of field.args) {
					const realArg = realField.args.find((a) => a.name === arg.name);
					if (!realArg)
						problems.push(`argument ${type.name}.${field.name}(${arg.name}) does not exist`);
					else if (String(arg.type) !== String(realArg.type))
						problems.push(
							`argument ${type.name}.${field.name}(${arg.name}): ${arg.type} vs ${realArg.type}`,
						);
				}
			}
			const realInterfaces = realType.getInterfaces().map((i) => i.name);
			for (const iface of type.getInterfaces()) {
				if (!realInterfaces.includes(iface.name))
					problems.push(`${type.name} does not implement ${iface.name}`);
			}
		}
		if (isInputObjectType(type)) {
			const realFields = realType.getFields();
			for (const field of Object.values(type.getFields())) {
				const realField = realFields[field.name];
				if (!realField) problems.push(`input field ${type.name}.${field.name} does not exist`);
				else if (String(field.type) !== String(realField.type))
					problems.push(
						`input field ${type.name}.${field.name}: ${field.type} vs ${realField.type}`,
					);
			}
		}
		if (isEnumType(type)) {
			const realValues = realType.getValues().map((v) => v.name);
			for (const value of type.getValues()) {
				if (!realValues.includes(value.name))
					problems.push(`enum value ${type.name}.${value.name} does not exist`);
			}
		}
		if (isUnionType(type)) {
			const realMembers = realType.getTypes().map((t) => t.name);
			for (const member of type.getTypes()) {
				if (!realMembers.includes(member.name))
					problems.push(`union member ${type.name}.${member.name} does not exist`);
			}
		}
	}
	return problems;
}

const real = loadRealSchema();
const maybe = real ? describe : describe.skip;

maybe('sandbox SDL vs the real Démarche Numérique schema', () => {
	const sandbox = loadSandboxSchema();

	it('declares only types, fields, arguments and enum values that exist upstream with the same types', () => {
		expect(incompatibilities(sandbox, real)).toEqual([]);
	});

	it('covers the read surface and the 28 concrete Champ types', () => {
		const champTypes = sandbox.getPossibleTypes(sandbox.getType('Champ')).map((t) => t.name);
		expect(champTypes).toHaveLength(28);
		for (const root of ['demarche', 'dossier', 'groupeInstructeur', 'demarcheDescriptor']) {
			expect(sandbox.getQueryType().getFields()[root]).toBeDefined();
		}
	});

	it('detects an incompatibility (the checker itself works)', () => {
		const broken = buildSchema(
			'type Query { dossier(number: String!): Dossier! } type Dossier { number: Int! bogus: String }',
		);
		expect(incompatibilities(broken, real)).toEqual([
			'argument Query.dossier(number): String! vs Int!',
			'field Dossier.bogus does not exist',
		]);
	});
});

const NEWER_SCHEMA_PATH = path.resolve(__dirname, '../../../shared/ds-api/schema-13a480b5.graphql');
const newerMaybe = fs.existsSync(NEWER_SCHEMA_PATH) ? describe : describe.skip;

newerMaybe('sandbox SDL with schema/newer/ vs the newer upstream schema (13a480b5)', () => {
	it('the extensions of schema/newer/ exist upstream with the same types, and the 03-31 schema lacks them', () => {
		const dir = path.join(sandboxSchemaDir, 'newer');
		const sources = [sandboxSchemaDir, dir].flatMap((d) =>
			fs.readdirSync(d).filter((f) => f.endsWith('.graphql')).map((f) => fs.readFileSync(path.join(d, f), 'utf8')),
		);
		const withNewer = buildSchema(sources.join('\n'));
		const newer = buildSchema(fs.readFileSync(NEWER_SCHEMA_PATH, 'utf8'));
		const added = Object.keys(withNewer.getType('AnnotationValueInput').getFields()).filter(
			(f) => !loadSandboxSchema().getType('AnnotationValueInput').getFields()[f],
		);
		expect(added.sort()).toEqual(['civilite', 'departements', 'formatted', 'iban', 'pays', 'phone', 'pieceJustificative', 'regions']);
		const newerFields = newer.getType('AnnotationValueInput').getFields();
		for (const name of added) expect(String(withNewer.getType('AnnotationValueInput').getFields()[name].type)).toBe(String(newerFields[name].type));
		if (real) for (const name of added) expect(real.getType('AnnotationValueInput').getFields()[name]).toBeUndefined();
	});
});
