package iimmpacttest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWireGuideWorkedSignature recomputes the guide's worked example from
// its own inputs, with the tests' independent signer.
func TestWireGuideWorkedSignature(t *testing.T) {
	t.Parallel()
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^  ` + name + `\s+([^=\s]\S*)`).FindStringSubmatch(iimmpacttest.WireGuide)
		require.NotNil(t, m, name)
		return m[1]
	}
	body := []byte(field("body"))
	sum := sha256.Sum256(body)
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), field("body_hash"))
	assert.Equal(t, testSign(field("secret"), field("timestamp"), field("nonce"), "POST", "", body), field("signature"))
	assert.Contains(t, iimmpacttest.WireGuide, "-H 'X-Signature: "+field("signature")+"'", "the curl carries the worked signature")
	assert.Contains(t, iimmpacttest.WireGuide, "--data-raw '"+string(body)+"'")
}
