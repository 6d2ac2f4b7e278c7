package tokens

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(offlineChildEnv) == "1" {
		os.Exit(runOfflineChild())
	}
	goleak.VerifyTestMain(m)
}
