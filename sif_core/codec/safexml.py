"""Hardened XML parsing: xmltodict over expat with entities refused and errors located.

Every XML input in sifbridge (SIF XML, CTF, SIMS CommandReporter) is parsed through :func:`parse`.
It refuses any entity declaration (internal or external) before anything is expanded or fetched,
and turns expat's errors into :class:`~sif_core.errors.MalformedDocumentError` carrying the file
name, line and column, so a user can open the file at the right place.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Collection, Container, Iterator
from pathlib import Path
from typing import IO, Any, Protocol
from xml.etree import ElementTree
from xml.parsers import expat

import xmltodict

from sif_core.errors import HostileXMLError, MalformedDocumentError

__all__ = ["ByteReader", "TextReader", "XMLInput", "iter_elements", "parse", "parse_file"]

XMLInput = bytes | str | IO[bytes]
#: ``item_callback(path, item)``: return False to stop parsing.
ItemCallback = Callable[[list[Any], Any], bool]
#: xmltodict's ``force_list``: element names (or a predicate) always parsed as lists.
ForceList = bool | Container[str] | Callable[[Any, str, Any], bool] | None


class _RefusingExpat:
    """An expat stand-in for xmltodict whose parsers refuse entities and remember themselves.

    xmltodict builds its own parser from the ``expat`` module it is given; wrapping
    ``ParserCreate`` lets us install the refusing handlers and read the error position later.
    """

    ExpatError = expat.ExpatError
    error = expat.error

    def __init__(self) -> None:
        self.parser: Any = None
        self.refusal: str | None = None

    def ParserCreate(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - expat's name
        parser = expat.ParserCreate(*args, **kwargs)
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self._refuse_entity
        parser.ExternalEntityRefHandler = self._refuse_external
        parser.UnparsedEntityDeclHandler = self._refuse_unparsed
        parser.StartDoctypeDeclHandler = self._check_doctype
        parser.SkippedEntityHandler = self._refuse_skipped
        self.parser = parser
        return parser

    def _refuse_entity(self, name: str, is_parameter: int, *_: Any) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        self.refusal = f"the document declares the {kind} {name!r}"
        raise _RefusedError

    def _refuse_external(self, *_: Any) -> int:
        self.refusal = "the document refers to an external entity"
        raise _RefusedError

    def _check_doctype(
        self, name: str, system_id: str | None, public_id: str | None, *_: Any
    ) -> None:
        if system_id or public_id:
            self.refusal = f"the document type refers to an external DTD ({system_id or public_id})"
            raise _RefusedError

    def _refuse_skipped(self, name: str, *_: Any) -> None:
        self.refusal = f"the document uses the undeclared entity {name!r}"
        raise _RefusedError

    def _refuse_unparsed(self, name: str, *_: Any) -> None:
        self.refusal = f"the document declares the unparsed entity {name!r}"
        raise _RefusedError


class _RefusedError(Exception):
    """Raised inside an expat handler to stop parsing at once."""


def parse(
    data: XMLInput,
    *,
    source: str = "<input>",
    force_list: ForceList = None,
    item_depth: int = 0,
    item_callback: ItemCallback | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Parse XML into a Goessner-notation dict, refusing entities.

    ``source`` names the input in errors. ``force_list``, ``item_depth`` and ``item_callback`` are
    xmltodict's (``item_depth`` > 0 streams: each item at that depth goes to ``item_callback`` and
    is not kept). Other keyword arguments go to :func:`xmltodict.parse`.

    Raises :class:`HostileXMLError` for an entity declaration or external entity reference, and
    :class:`MalformedDocumentError` (with line and column) for XML that is not well formed.
    """
    shim = _RefusingExpat()
    try:
        result: dict[str, Any] = xmltodict.parse(
            data,
            expat=shim,
            disable_entities=True,
            force_list=force_list,
            item_depth=item_depth,
            item_callback=item_callback or _keep_going,
            **kwargs,
        )
    except _RefusedError:
        line, column = _position(shim)
        raise HostileXMLError(
            f"refused: {shim.refusal}; entity declarations and external entities are never "
            "expanded. Export the file again without a DOCTYPE",
            source=source,
            line=line,
            column=column,
        ) from None
    except ValueError as error:
        if "entities are disabled" not in str(error):
            raise
        line, column = _position(shim)
        raise HostileXMLError(
            "refused: the document declares entities; export it again without a DOCTYPE",
            source=source,
            line=line,
            column=column,
        ) from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise MalformedDocumentError(
            f"not well-formed XML: {reason}; fix the file at this position or export it again",
            source=source,
            line=error.lineno,
            column=error.offset + 1,
        ) from None
    return result


def parse_file(path: Path, **kwargs: Any) -> dict[str, Any]:
    """Parse the XML file at ``path`` (streamed from disk), naming it in every error."""
    with path.open("rb") as stream:
        return parse(stream, source=str(path), **kwargs)


def _keep_going(path: list[Any], item: Any) -> bool:
    return True


def _position(shim: _RefusingExpat) -> tuple[int | None, int | None]:
    if shim.parser is None:
        return None, None
    return shim.parser.CurrentLineNumber, shim.parser.CurrentColumnNumber + 1


#: ``(path, element)``: the tags from the root down to the element's parent, and the element.
StreamedElement = tuple[tuple[str, ...], ElementTree.Element]


class ByteReader(Protocol):
    """Anything with a binary ``read(size)``: an open file, or a wrapper that transcodes."""

    def read(self, size: int, /) -> bytes: ...


class TextReader(Protocol):
    """Anything with a text ``read(size)``, such as :class:`io.StringIO`."""

    def read(self, size: int, /) -> str: ...


class _RootReachedError(Exception):
    """Raised by the prolog guard at the root element's start tag: the prolog is over."""


def iter_elements(
    stream: ByteReader | TextReader,
    *,
    source: str = "<input>",
    containers: Collection[str] = (),
    chunk_size: int = 1 << 16,
    whole: Callable[[ElementTree.Element], bool] | None = None,
    complete_before_fault: bool = False,
) -> Iterator[StreamedElement]:
    """Stream a large document one complete element at a time, refusing entities as :func:`parse`.

    Yields ``(path, element)`` for each child of the root element once it is complete, with
    ``path`` ``(root_tag,)``. A child whose tag is in ``containers`` is not yielded itself: each of
    *its* children is, as soon as it is complete, with ``path`` ``(root_tag, container_tag)``.
    So ``containers={"CTFpupilData"}`` yields a CTF's ``Header`` and then one ``Pupil`` at a time.

    Elements are :mod:`xml.etree.ElementTree` elements built by the C parser (several times faster
    than :func:`parse` in streaming mode) and are detached from the document once yielded, so
    memory holds one chunk's elements, however long the document. A repeated child element looks
    the same whether it occurs once or many times (``element.findall``), so no ``force_list`` is
    needed.

    The prolog is first checked by the same refusing parser as :func:`parse`, so a DOCTYPE that
    declares entities or names an external DTD raises :class:`HostileXMLError` before anything is
    built; entities cannot be declared after the root element starts. XML that is not well formed
    raises :class:`MalformedDocumentError` with line and column; with ``complete_before_fault``,
    only once every element known to be complete before the fault (a later sibling had started)
    has been yielded, as a push parser would have handed them over.

    ``stream`` may also give text (``read`` returning ``str``): it is then parsed as UTF-8
    whatever encoding the XML declaration names, as :func:`parse` does with a ``str``.

    ``whole``, if given, is called once with the root element as soon as the chunk holding its
    start tag is parsed (its tag, in ``{namespace}name`` form, and its attributes are read; its
    children may not be); it may raise to refuse the document there. When it returns True the
    document is read to its end and the root is yielded whole, with ``path`` ``()``, instead of
    its children (for a document small enough to be wanted whole, such as one object).
    """
    shim = _RefusingExpat()
    guard = shim.ParserCreate()
    guard.StartElementHandler = _root_reached
    guarding = True
    builder: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start",)
    )
    root: ElementTree.Element | None = None
    keep_whole = False
    while True:
        chunk = stream.read(chunk_size)
        finished = not chunk
        if guarding:
            guarding = _guard_prolog(guard, shim, chunk, source)
        failure: MalformedDocumentError | None = None
        root_was_unknown = root is None
        try:
            if finished:
                builder.close()
            else:
                _feed(builder, chunk)
            if root is None:
                root = _first_element(builder.read_events())
                if root is not None:
                    _stop_events(builder)
            _discard_events(builder)
        except ElementTree.ParseError as error:
            failure = _malformed(error, source)
        except (LookupError, ValueError) as error:
            raise _unreadable_encoding(error, source) from None
        if root_was_unknown and root is not None and whole is not None:
            keep_whole = whole(root)
        if failure is not None:
            if complete_before_fault and root is not None and not keep_whole:
                yield from _complete_children(root, containers, finished=False)
            raise failure
        if keep_whole:
            if finished and root is not None:
                yield (), root
        elif root is not None:
            yield from _complete_children(root, containers, finished)
        if finished:
            return


def _root_reached(*_: Any) -> None:
    raise _RootReachedError


def _feed(builder: ElementTree.XMLPullParser[ElementTree.Element], chunk: bytes | str) -> None:
    """Build the elements of one chunk with the cyclic garbage collector paused.

    A chunk makes thousands of elements; each collection the allocations would set off walks them
    all (and, as they survive, the rest of the heap), which costs more than the parse itself. No
    Python code runs inside and elements form no cycles, so reference counting frees them as
    ever; the collector is paused only if it was running, and for one chunk at a time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder.feed(chunk)
    finally:
        if collecting:
            gc.enable()


def _stop_events(builder: ElementTree.XMLPullParser[ElementTree.Element]) -> None:
    """Ask the parser for no more events once it has given the root's: it would queue one for
    every element. Private API, so only when it is there; errors are queued all the same."""
    setevents = getattr(getattr(builder, "_parser", None), "_setevents", None)
    queue = getattr(builder, "_events_queue", None)
    if callable(setevents) and isinstance(queue, deque):
        setevents(queue, ())


def _discard_events(builder: ElementTree.XMLPullParser[ElementTree.Element]) -> None:
    """Drop the queued start events, raising the parse error queued among them, if any.

    Only the root's start event is wanted, but the parser queues one for every element; clearing
    its queue at once is much faster than draining ``read_events()`` one event at a time. The
    queue is a private attribute, so without it the public, slower way is used.
    """
    queue = getattr(builder, "_events_queue", None)
    if not isinstance(queue, deque):
        deque(builder.read_events(), maxlen=0)
        return
    # The pull parser queues its error after the events before it, and stops there.
    if queue and isinstance(queue[-1], BaseException):
        raise queue[-1]
    queue.clear()


def _first_element(events: Iterator[Any]) -> ElementTree.Element | None:
    for event in events:
        if isinstance(event[-1], ElementTree.Element):
            return event[-1]
    return None


def _unreadable_encoding(error: Exception, source: str) -> MalformedDocumentError:
    return MalformedDocumentError(
        f"cannot read the document in its declared encoding ({error}); export it again as UTF-8",
        source=source,
    )


def _guard_prolog(guard: Any, shim: _RefusingExpat, chunk: bytes | str, source: str) -> bool:
    """Feed ``chunk`` to the refusing parser; False once the root element has started."""
    try:
        guard.Parse(chunk, not chunk)
    except _RootReachedError:
        return False
    except _RefusedError:
        line, column = _position(shim)
        raise HostileXMLError(
            f"refused: {shim.refusal}; entity declarations and external entities are never "
            "expanded. Export the file again without a DOCTYPE",
            source=source,
            line=line,
            column=column,
        ) from None
    except (LookupError, ValueError) as error:
        raise _unreadable_encoding(error, source) from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise MalformedDocumentError(
            f"not well-formed XML: {reason}; fix the file at this position or export it again",
            source=source,
            line=error.lineno,
            column=error.offset + 1,
        ) from None
    return bool(chunk)


def _malformed(error: ElementTree.ParseError, source: str) -> MalformedDocumentError:
    line, offset = error.position
    reason = expat.ErrorString(error.code) if error.code else str(error)
    return MalformedDocumentError(
        f"not well-formed XML: {reason}; fix the file at this position or export it again",
        source=source,
        line=line,
        column=offset + 1,
    )


def _complete_children(
    root: ElementTree.Element, containers: Collection[str], finished: bool
) -> Iterator[StreamedElement]:
    # A child is complete once a later sibling has started (or the document has ended); each is
    # detached from the tree as it is handed over, so the tree never holds more than one chunk.
    while len(root):
        child = root[0]
        complete = finished or len(root) > 1
        if child.tag in containers:
            ready = len(child) if complete else len(child) - 1
            if ready > 0:
                items = child[:ready]
                del child[:ready]
                items.reverse()
                path = (root.tag, child.tag)
                # Popped, not iterated: each element is freed as soon as its consumer is done.
                while items:
                    yield path, items.pop()
        elif complete:
            del root[0]
            yield (root.tag,), child
            continue
        if not complete:
            return
        del root[0]
