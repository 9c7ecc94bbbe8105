package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sessionkit/session"
)

// benchData is a session of a typical size: a user, a few preferences and a
// short list, in Flask's tagged JSON.
var benchData = []byte(`{"_permanent":true,"csrf_token":"` + string(bytes.Repeat([]byte("a"), 40)) +
	`","nomes":["Ana","Bruno","Carla","Diego","Eva"],"tema":"escuro","usuario":"Maria"}`)

// BenchmarkLoad measures Load of one live record.
func BenchmarkLoad(b *testing.B, s session.Store) {
	ctx := context.Background()
	id := NewID()
	if err := s.Create(ctx, id, session.Record{Data: benchData, Expiry: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate measures a versioned Update of one record.
func BenchmarkUpdate(b *testing.B, s session.Store) {
	ctx := context.Background()
	id := NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: benchData, Expiry: exp}); err != nil {
		b.Fatal(err)
	}
	v := int64(1)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if v, err = s.Update(ctx, id, session.Record{Data: benchData, Expiry: exp, Version: v}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTouch measures Touch, the write a read-only request makes at most
// once per touch interval.
func BenchmarkTouch(b *testing.B, s session.Store) {
	ctx := context.Background()
	id := NewID()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, id, session.Record{Data: benchData, Expiry: exp}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Touch(ctx, id, exp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreate measures Create of new records.
func BenchmarkCreate(b *testing.B, s session.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Create(ctx, NewID(), session.Record{Data: benchData, Expiry: exp}); err != nil {
			b.Fatal(err)
		}
	}
}
