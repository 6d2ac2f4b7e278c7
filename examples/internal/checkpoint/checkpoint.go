// Package checkpoint records the progress of a long batch job in a JSONL
// file: one line per finished item, appended as items finish and synced to
// disk in batches. A job that opens the file on start skips what it finds
// there, so an interrupted or crashed run loses nothing when run again.
package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Log is an open checkpoint file. Its methods are safe for concurrent use.
type Log[T any] struct {
	mu        sync.Mutex
	f         *os.File
	w         *bufio.Writer
	syncEvery int
	unsynced  int
}

// Open opens the checkpoint at path, creating it if needed, and calls seen
// for each record already in it, in order. A crash can leave a last line
// cut short (or, after a power loss, garbage past the last sync): reading
// stops at the first line that does not decode and the file is cut there,
// so those items are simply done again.
//
// Append syncs the file to disk every syncEvery records (1 when less);
// Close syncs what is left.
func Open[T any](path string, syncEvery int, seen func(T)) (*Log[T], error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	good, err := replay(f, seen)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return &Log[T]{f: f, w: bufio.NewWriter(f), syncEvery: max(syncEvery, 1)}, nil
}

// replay decodes the complete, valid lines of r and returns the offset just
// past the last of them.
func replay[T any](r io.Reader, seen func(T)) (int64, error) {
	br := bufio.NewReader(r)
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return good, nil // a last line without its newline was cut short
		}
		if err != nil {
			return good, err
		}
		var v T
		if len(bytes.TrimSpace(line)) > 0 {
			if json.Unmarshal(line, &v) != nil {
				return good, nil
			}
			seen(v)
		}
		good += int64(len(line))
	}
}

// Append records v as one line.
func (l *Log[T]) Append(v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(b)
	if err := l.w.WriteByte('\n'); err != nil {
		return err
	}
	if l.unsynced++; l.unsynced >= l.syncEvery {
		return l.syncLocked()
	}
	return nil
}

// Sync writes the buffered records to disk.
func (l *Log[T]) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.syncLocked()
}

func (l *Log[T]) syncLocked() error {
	l.unsynced = 0
	if err := l.w.Flush(); err != nil {
		return err
	}
	return l.f.Sync()
}

// Close syncs the remaining records and closes the file.
func (l *Log[T]) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.syncLocked(), l.f.Close())
}
