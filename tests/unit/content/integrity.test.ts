import { describe, expect, it } from 'vitest';
import { findContentProblems, formatContentProblems, type LessonSource } from '../../../src/content/integrity.ts';

function lesson(overrides: Partial<LessonSource> & { id: string }): LessonSource {
  return {
    filePath: `content/basics/${overrides.id}.mdx`,
    source: '---\ntitle: x\n---\n\nText.\n',
    module: 'basics',
    order: 1,
    prerequisites: [],
    exercises: [],
    ...overrides,
  };
}

const base = { moduleIds: new Set(['basics']), exerciseIds: new Set(['ring']) };

describe('content integrity', () => {
  it('finds nothing wrong in a course whose references all resolve', () => {
    const problems = findContentProblems({
      ...base,
      lessons: [
        lesson({ id: 'a', source: '---\n---\nSee [b](/lessons/b/#part) and <a href="/lessons/b/">b</a>.\n<Exercise id="ring" />', exercises: ['ring'] }),
        lesson({ id: 'b', order: 2, prerequisites: ['a'] }),
      ],
    });
    expect(problems).toEqual([]);
  });

  it('names the file and line of a link to a lesson that does not exist', () => {
    const problems = findContentProblems({
      ...base,
      lessons: [lesson({ id: 'a', source: '---\ntitle: A\n---\n\nSee [the next one](/lessons/nope/).\n' })],
    });
    expect(formatContentProblems(problems)).toBe(
      'content/basics/a.mdx:5: link to /lessons/nope/ points to a lesson that does not exist (known lessons: a)',
    );
  });

  it('rejects an exercise with no folder, whether listed in the frontmatter or embedded', () => {
    const problems = findContentProblems({
      ...base,
      lessons: [lesson({ id: 'a', exercises: ['missing'], source: '---\n---\n\n<Exercise id="gone" />\n' })],
    });
    expect(problems.map((p) => p.message)).toEqual([
      'exercise "missing" has no folder exercises/missing/ (known exercises: ring)',
      '<Exercise id="gone"> names an exercise with no folder exercises/gone/',
    ]);
    expect(problems[1]?.line).toBe(4);
  });

  it('rejects an embedded exercise that the frontmatter does not list', () => {
    const problems = findContentProblems({ ...base, lessons: [lesson({ id: 'a', source: '<Exercise id="ring"/>' })] });
    expect(problems.map((p) => p.message)).toEqual([
      '<Exercise id="ring"> is embedded but not listed in the frontmatter\'s exercises',
    ]);
  });

  it('rejects an unknown module, a missing prerequisite, a self-prerequisite and a clash of order', () => {
    const problems = findContentProblems({
      ...base,
      lessons: [
        lesson({ id: 'a', module: 'nowhere' }),
        lesson({ id: 'b', prerequisites: ['b', 'zzz'] }),
        lesson({ id: 'c' }),
      ],
    });
    expect(problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'content/basics/a.mdx: module "nowhere" is not in content/modules.json (known modules: basics)',
      'content/basics/b.mdx: a lesson cannot be its own prerequisite',
      'content/basics/b.mdx: prerequisite "zzz" is not a lesson (known lessons: a, b, c)',
      'content/basics/c.mdx: order 1 in module "basics" is taken by content/basics/b.mdx',
    ]);
  });
});
