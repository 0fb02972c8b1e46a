"""Autocapture elements: the `elements_chain` text PostHog stores, built from `$elements` and parsed back."""

import re
from typing import Any

SPLIT_CHAIN = re.compile(r'(?:^|;)((?:[^;"]|"(?:[^"\\]|\\.)*")+)')
ATTRIBUTE = re.compile(r'(?P<key>[-\w:]+)="(?P<value>(?:[^"\\]|\\.)*)"')
TAG_AND_CLASS = re.compile(r"^(?P<tag>[^.:]+)?(?P<classes>(?:\.[^.:]+)*)")


def _escape(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"')


def elements_to_chain(elements: list[Any]) -> str:
    """`tag.class1.class2:attr="v"href="..."nth-child="1"...;parent...` (first element = the clicked one)."""
    parts = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        tag = str(element.get("tag_name") or "")
        classes = element.get("attr__class") or element.get("classes") or []
        if isinstance(classes, str):
            classes = classes.split()
        # Sorted like PostHog's chains, so selectors can match classes in one order.
        head = tag + "".join(f".{c.replace('.', '')}" for c in sorted(str(c) for c in classes if c))
        attributes = {}
        if element.get("$el_text") or element.get("text"):
            attributes["text"] = element.get("$el_text") or element.get("text")
        for key in ("href", "attr_id", "nth_child", "nth_of_type"):
            if element.get(key) not in (None, ""):
                attributes[key.replace("_", "-") if key.startswith("nth") else key] = element[key]
        for key, value in element.items():
            if key.startswith("attr__") and key != "attr__class":
                attributes[key] = value
        attributes_text = "".join(f'{key}="{_escape(value)}"' for key, value in sorted(attributes.items()))
        parts.append(f"{head}:{attributes_text}" if attributes_text else head)
    return ";".join(parts)


def chain_to_elements(chain: str) -> list[dict]:
    """PostHog's element objects from a chain, in order (`order` 0 = the clicked element)."""
    if not chain:
        return []
    elements = []
    for order, match in enumerate(SPLIT_CHAIN.finditer(chain)):
        text = match.group(1)
        head, _, attribute_text = text.partition(":")
        tag_match = TAG_AND_CLASS.match(head)
        tag = tag_match.group("tag") if tag_match else None
        classes = [c for c in (tag_match.group("classes") if tag_match else "").split(".") if c]
        attributes = {m.group("key"): m.group("value").replace('\\"', '"') for m in ATTRIBUTE.finditer(attribute_text)}
        nth_child, nth_of_type = attributes.pop("nth-child", None), attributes.pop("nth-of-type", None)
        element = {
            "event": None,
            "text": attributes.pop("text", None),
            "tag_name": tag,
            "attr_class": classes or None,
            "href": attributes.pop("href", None),
            "attr_id": attributes.pop("attr_id", None),
            "nth_child": int(nth_child) if nth_child and nth_child.isdigit() else None,
            "nth_of_type": int(nth_of_type) if nth_of_type and nth_of_type.isdigit() else None,
            "attributes": attributes,
            "order": order,
        }
        elements.append(element)
    return elements
