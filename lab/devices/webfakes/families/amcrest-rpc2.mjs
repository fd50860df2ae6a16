// Amcrest runs Dahua firmware: the same RPC2 challenge login under an Amcrest page (web-logins.json "amcrest-rpc2").
import { dahuaFamily } from './dahua-rpc2.mjs';

export default dahuaFamily('amcrest-rpc2', 'Amcrest', 'Login to AMC');
