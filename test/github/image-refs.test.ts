import { describe, expect, it } from 'vitest';
import { findImageRefs } from '../../src/github/image-refs.js';

describe('the images a request shows', () => {
  it('finds Markdown images and img tags in order, with their alternative text, once each', () => {
    const text = [
      'The button is cut off: ![the login form](https://github.com/user-attachments/assets/a1 "title")',
      '<img width="400" alt="Dark mode" src="https://github.com/user-attachments/assets/b2" />',
      "<IMG SRC='https://example.com/c.png'>",
      '![again](https://github.com/user-attachments/assets/a1)',
      '![angle](<https://github.com/user-attachments/assets/d4>)',
      '<img src="https://x.example/?a=1&amp;b=2">',
    ].join('\n');
    expect(findImageRefs(text)).toEqual([
      { url: 'https://github.com/user-attachments/assets/a1', alt: 'the login form' },
      { url: 'https://github.com/user-attachments/assets/b2', alt: 'Dark mode' },
      { url: 'https://example.com/c.png', alt: '' },
      { url: 'https://github.com/user-attachments/assets/d4', alt: 'angle' },
      { url: 'https://x.example/?a=1&b=2', alt: '' },
    ]);
  });

  it('leaves out images shown as code, in fenced blocks and code spans, and plain links', () => {
    const text = [
      '```md',
      '![in a block](https://github.com/user-attachments/assets/block)',
      '```',
      'Write `![span](https://github.com/user-attachments/assets/span)` to show one.',
      '[a link](https://github.com/user-attachments/assets/link)',
      '~~~',
      '<img src="https://github.com/user-attachments/assets/tilde">',
      '~~~',
      '![real](https://github.com/user-attachments/assets/real)',
    ].join('\n');
    expect(findImageRefs(text).map((r) => r.url)).toEqual(['https://github.com/user-attachments/assets/real']);
  });
});
