import type { ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from './markdown-parse.js';

/** Renders the safe Markdown subset as React elements: no HTML string ever reaches the DOM. */
export function Markdown({ source }: { source: string }) {
  return <div className="markdown">{parseMarkdown(source).map(renderBlock)}</div>;
}

function renderBlock(block: Block, key: number): ReactNode {
  switch (block.kind) {
    case 'heading': {
      // Widget titles are h2; headings inside a text widget start one level below.
      const level = Math.min(6, block.level + 2);
      const Tag = `h${level}` as 'h3';
      return <Tag key={key}>{renderInlines(block.children)}</Tag>;
    }
    case 'paragraph':
      return <p key={key}>{renderInlines(block.children)}</p>;
    case 'list': {
      const items = block.items.map((item, i) => <li key={i}>{renderInlines(item)}</li>);
      return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
  }
}

function renderInlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={i}>{node.text}</code>;
      case 'strong':
        return <strong key={i}>{renderInlines(node.children)}</strong>;
      case 'em':
        return <em key={i}>{renderInlines(node.children)}</em>;
      case 'link': {
        const external = /^(https?:)/i.test(node.href);
        return (
          <a key={i} href={node.href} {...(external ? { rel: 'noopener noreferrer', target: '_blank' } : {})}>
            {renderInlines(node.children)}
          </a>
        );
      }
    }
  });
}
