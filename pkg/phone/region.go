package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/askproai/backend/pkg/config"
)

// RegionSetting is the environment variable every service reads its default region from.
const RegionSetting = "DEFAULT_REGION"

// ReadRegion reads RegionSetting (default DefaultRegion) as an upper-case region code and
// records an error with r when libphonenumber does not know the region.
func ReadRegion(r *config.Reader) string {
	region := strings.ToUpper(r.String(RegionSetting, DefaultRegion))
	if !KnownRegion(region) {
		r.Fail(RegionSetting, "%q is no region code libphonenumber knows (ISO 3166-1 alpha-2, e.g. DE, AT, CH)", region)
	}
	return region
}

// KnownRegion reports whether region (upper case) is a region libphonenumber has numbering
// rules for.
func KnownRegion(region string) bool {
	return phonenumbers.GetSupportedRegions()[region]
}
