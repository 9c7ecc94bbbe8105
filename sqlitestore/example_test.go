package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

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

	// WAL lets readers run beside the writer; busy_timeout makes writers
	// queue instead of failing at once; synchronous(NORMAL) is safe in WAL
	// mode and saves an fsync per write.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "sessions.db")+
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	if err := sqlitestore.Migrate(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	store := sqlitestore.New(db)

	// Give it to the Manager (m.Store = store) and run
	// store.DeleteExpired every few minutes. Directly:
	_ = store.Create(ctx, "id-1", session.Record{Data: []byte(`{"usuario":"Maria"}`), Expiry: time.Now().Add(time.Hour)})
	rec, _ := store.Load(ctx, "id-1")
	fmt.Printf("%s version %d\n", rec.Data, rec.Version)
	// Output:
	// {"usuario":"Maria"} version 1
}
