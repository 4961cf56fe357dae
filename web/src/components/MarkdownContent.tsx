import type { ReactNode } from 'react';
import { markdownTree, type MdNode } from './markdown-tree.js';

/**
 * The rendered Markdown: each node of markdownTree becomes a React element (text is always a text
 * node). Loaded on demand by Markdown.tsx, so micromark is not in the first page's bundle.
 */
export function MarkdownContent({ source }: { source: string }) {
  return <div className="markdown">{markdownTree(source).map(render)}</div>;
}

function render(node: MdNode, key: number): ReactNode {
  if (typeof node === 'string') return node;
  const kids = node.children.map(render);
  switch (node.tag) {
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6': {
      // Widget titles are h2; headings inside a text widget start one level below.
      const Tag = `h${Math.min(6, Number(node.tag[1]) + 2)}` as 'h3';
      return <Tag key={key}>{kids}</Tag>;
    }
    case 'a': {
      const external = /^https?:/i.test(node.href ?? '');
      return (
        <a
          key={key}
          href={node.href}
          title={node.title}
          {...(external ? { rel: 'noopener noreferrer', target: '_blank' } : {})}
        >
          {kids}
        </a>
      );
    }
    case 'ol':
      return (
        <ol key={key} start={node.start}>
          {kids}
        </ol>
      );
    case 'hr':
      return <hr key={key} />;
    case 'br':
      return <br key={key} />;
    default: {
      const Tag = node.tag;
      return <Tag key={key}>{kids}</Tag>;
    }
  }
}
