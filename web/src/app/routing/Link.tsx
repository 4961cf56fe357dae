import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate, shouldHandleClick } from './router.js';

/** An ordinary link that navigates in-app on a plain click and stays a real link for everything else. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (!shouldHandleClick(event) || props.target) return;
    event.preventDefault();
    navigate(href);
    window.scrollTo(0, 0);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
