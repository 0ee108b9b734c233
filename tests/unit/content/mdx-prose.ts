/**
 * The prose of a lesson: its MDX without frontmatter, code, components and MDX comments.
 * Lesson tests check this text for characters MDX would misread (`{`, `}`, `<`) and for a
 * stray H1; everything removed here is MDX on purpose.
 */
export function proseOf(lesson: string): string {
  return lesson
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '')
    .replace(/<Quiz\b[\s\S]*?\/>/g, '')
    .replace(/^<[A-Z][A-Za-z]*\b[^\n]*\/>$/gm, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '');
}
