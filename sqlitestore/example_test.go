package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sessionkit/session"
	"github.com/sessionkit/session/sqlitestore"
)

func Example() {
	dir, err := os.MkdirTemp("", "sessions")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// Open creates the file readable by its owner only, in WAL mode with a
	// busy timeout, and creates the table.
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, filepath.Join(dir, "sessions.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	store := sqlitestore.New(db)

	// Give it to the Manager (m.Store = store) and run
	// store.DeleteExpired every few minutes. Directly:
	_ = store.Create(ctx, "id-1", session.Record{Data: []byte(`{"usuario":"Maria"}`), Expiry: time.Now().Add(time.Hour)})
	rec, _ := store.Load(ctx, "id-1")
	fmt.Printf("%s version %d\n", rec.Data, rec.Version)
	// Output:
	// {"usuario":"Maria"} version 1
}
