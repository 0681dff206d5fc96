import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoConfigJsonSchemaText } from '../src/config/repo-config.js';

// Writes schema/issuesmith.schema.json from the zod schema; a test fails when the two differ.
const target = join(import.meta.dirname, '..', '..', 'schema', 'issuesmith.schema.json');
writeFileSync(target, repoConfigJsonSchemaText());
console.log(`wrote ${target}`);
